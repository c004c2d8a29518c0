package org.omnispark.parallel;

import java.util.function.UnaryOperator;

/**
 * The all-reduce of small buffers, where the ring's 2(P - 1) sequential steps cost more than the bytes: every member
 * gathers every member's values (one exchange in a fully connected group, ceil(log2 P) in a sparse one) and sums
 * them itself, member 0's first. Every member adds the same float32 values in the same order, so every member ends
 * with the same bits, as after the ring (whose order of additions differs: the sums agree to float32 rounding).
 * Each member sends and receives P - 1 times the buffer, hence the size limit.
 */
final class GatherSum {

    /** Buffers up to this size (64 KiB) take this path by default. */
    static final long MAX_BYTES = 64 << 10;

    private GatherSum() {}

    /**
     * @param mine this member's values
     * @param size P
     * @param gather the group's all-gather of longs (every member's, in member order)
     * @return the element-wise sums over the members, in member order
     */
    static float[] sum(float[] mine, int size, UnaryOperator<long[]> gather) {
        int n = mine.length;
        long[] bits = new long[(n + 1) / 2]; // two floats per long, exactly
        for (int i = 0; i < n; i++) {
            bits[i / 2] |= (Float.floatToRawIntBits(mine[i]) & 0xffffffffL) << (32 * (i % 2));
        }
        long[] all = gather.apply(bits);
        int width = bits.length;
        float[] sum = new float[n];
        for (int q = 0; q < size; q++) {
            for (int i = 0; i < n; i++) {
                sum[i] += Float.intBitsToFloat((int) (all[q * width + i / 2] >>> (32 * (i % 2))));
            }
        }
        return sum;
    }
}
