package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The host-side bookkeeping of dispatch and combine, shared by the local and the distributed dispatchers: which
 * (token, choice) assignments are kept under the capacity limit, in which order rows leave, and the weighted
 * un-permutation of the rows that come back.
 *
 * <p>Row order: by expert (global id), then by token. Because experts are placed contiguously, that is also "by
 * destination rank, then by expert", the order an all-to-all sends.
 */
public final class TokenPermutation {

    private TokenPermutation() {}

    /**
     * The rows of one rank's tokens, in send order.
     *
     * @param sourceToken for each row, its token in {@code [0, T)}
     * @param combineIndex for each (t, j) at {@code t * k + j}, its row, or -1 (dropped or padding)
     * @param keptPerExpert rows per expert (global ids)
     * @param dropped valid assignments dropped by the capacity limit
     */
    public record Plan(long[] sourceToken, long[] combineIndex, long[] keptPerExpert, long dropped) {}

    /**
     * Keeps assignments in token order (t, then choice j) while their expert has room, and lays the kept ones out by
     * expert.
     *
     * @param routing the router's choices for T tokens
     * @param room how many more assignments each expert takes ({@code Long.MAX_VALUE}: dropless); not modified
     * @return the plan
     */
    public static Plan plan(RoutingResult routing, long[] room) {
        int numTokens = routing.numTokens();
        int k = routing.topK();
        int numExperts = routing.numExperts();
        long[] top = routing.topIndices();
        boolean[] valid = routing.validMask();
        long[] kept = new long[numExperts];
        boolean[] keep = new boolean[numTokens * k];
        long dropped = 0;
        for (int t = 0; t < numTokens; t++) {
            if (!valid[t]) {
                continue;
            }
            for (int j = 0; j < k; j++) {
                int e = (int) top[t * k + j];
                if (kept[e] < room[e]) {
                    kept[e]++;
                    keep[t * k + j] = true;
                } else {
                    dropped++;
                }
            }
        }
        long[] cursor = new long[numExperts];
        long rows = 0;
        for (int e = 0; e < numExperts; e++) {
            cursor[e] = rows;
            rows += kept[e];
        }
        long[] sourceToken = new long[Math.toIntExact(rows)];
        long[] combineIndex = new long[numTokens * k];
        for (int a = 0; a < combineIndex.length; a++) {
            if (keep[a]) {
                long row = cursor[(int) top[a]]++;
                combineIndex[a] = row;
                sourceToken[(int) row] = a / k;
            } else {
                combineIndex[a] = -1;
            }
        }
        return new Plan(sourceToken, combineIndex, kept, dropped);
    }

    /**
     * Per-expert capacity {@code ceil(capacityFactor * T * k / E)}.
     *
     * @param capacityFactor {@code <= 0}: dropless
     * @param numValidTokens T, valid tokens of the whole batch
     * @param topK k
     * @param numExperts E
     * @return the capacity, or Long.MAX_VALUE when dropless
     */
    public static long capacity(double capacityFactor, long numValidTokens, int topK, int numExperts) {
        if (capacityFactor <= 0) {
            return Long.MAX_VALUE;
        }
        return (long) Math.ceil(capacityFactor * numValidTokens * topK / numExperts);
    }

    /**
     * Gathers the permuted rows of this rank's tokens.
     *
     * @param hidden {@code [T, d]}
     * @param sourceToken the plan's rows
     * @return {@code [N, d]} (differentiable w.r.t. hidden)
     */
    public static NDArray permute(NDArray hidden, long[] sourceToken) {
        if (sourceToken.length == 0) {
            return hidden.getManager().zeros(new Shape(0, hidden.getShape().get(1)), hidden.getDataType());
        }
        return RowGather.rows(hidden, sourceToken); // [N, d]
    }

    /**
     * Un-permutes the rows that came back and sums each token's choices weighted by the router.
     *
     * @param rows {@code [N, d]}, row i the expert output for sent row i
     * @param combineIndex the plan's combine index ({@code T * k})
     * @param weights the router's weights {@code [T, k]}
     * @param numTokens T
     * @return {@code [T, d]}; 0 for tokens with no kept assignment
     */
    public static NDArray unpermute(NDArray rows, long[] combineIndex, NDArray weights, int numTokens) {
        int numRows = Math.toIntExact(rows.getShape().get(0));
        long d = rows.getShape().get(1);
        if (numTokens == 0) { // a rank without tokens (its rows all came from peers)
            return rows.getManager().zeros(new Shape(0, d), rows.getDataType());
        }
        int k = numTokens == 0 ? 1 : combineIndex.length / numTokens;
        NDManager scope = rows.getManager();
        long[] index = combineIndex.clone();
        boolean anyDropped = false;
        for (int a = 0; a < index.length; a++) {
            if (index[a] < 0) {
                index[a] = numRows; // dropped and padding assignments read the zero row appended below
                anyDropped = true;
            }
        }
        NDArray source = anyDropped
                ? rows.concat(scope.zeros(new Shape(1, d), rows.getDataType()), 0) // [N + 1, d]
                : rows;
        NDArray gathered = RowGather.rows(source, index); // [T * k, d]
        if (k == 1) {
            return gathered.mul(weights); // [T, d] * [T, 1]
        }
        return gathered.reshape(numTokens, k, d).mul(weights.expandDims(2)).sum(new int[] {1}); // [T, d]
    }
}
