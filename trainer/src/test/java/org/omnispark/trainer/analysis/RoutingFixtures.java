package org.omnispark.trainer.analysis;

/**
 * A hand-checkable routing batch: 3 MoE layers, 3 experts, 7 tokens of which the last is padding.
 *
 * <pre>
 * token            0  1  2  3  4  5 | 6 (padding)
 * layer 0 top-1    0  0  1  1  2  2 | 2      k = 2, second choices 1 2 0 2 0 1 | 0
 * layer 1 top-1    0  0  1  1  1  1 | 0      k = 1
 * layer 2 top-1    0  1  0  1  0  1 | 0      k = 1
 * </pre>
 */
final class RoutingFixtures {

    static final boolean[] VALID = {true, true, true, true, true, true, false};

    /** Layer 0 row-major [T, 2]; layers 1 and 2 [T, 1]. */
    static final long[][] TOP = {
        {0, 1, 0, 2, 1, 0, 1, 2, 2, 0, 2, 1, 2, 0},
        {0, 0, 1, 1, 1, 1, 0},
        {0, 1, 0, 1, 0, 1, 0},
    };

    private RoutingFixtures() {}

    static RoutingStatistics newStats() {
        return RoutingStatistics.builder().setNumLayers(3).setNumExperts(3).build();
    }

    /**
     * @param from first token (inclusive)
     * @param to last token (exclusive)
     * @return the top indices of tokens [from, to) of {@link #TOP}
     */
    static long[][] slice(int from, int to) {
        long[][] out = new long[TOP.length][];
        for (int l = 0; l < TOP.length; l++) {
            int k = TOP[l].length / VALID.length;
            out[l] = java.util.Arrays.copyOfRange(TOP[l], from * k, to * k);
        }
        return out;
    }

    static boolean[] validSlice(int from, int to) {
        return java.util.Arrays.copyOfRange(VALID, from, to);
    }
}
