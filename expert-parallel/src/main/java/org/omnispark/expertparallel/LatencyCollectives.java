package org.omnispark.expertparallel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.omnispark.expertparallel.transport.WireDtype;

/**
 * The collectives for the latency-bound cases, where the number of sequential steps matters more than the bytes.
 *
 * <ul>
 *   <li>{@link #gather}: Bruck's all-gather, for groups too large for every member to connect to every other (a
 *       large replica group): ceil(log2 P) steps; at distance d = 1, 2, 4, ... a member sends the min(d, P - d)
 *       blocks it holds (its own first, then those of the members after it around the ring) to the member d before
 *       it, and appends as many from the member d after it. A member therefore needs links only to the members at
 *       distances +-2^k ({@link #peers}), which include the ring's neighbours (the ring all-reduce's only peers):
 *       about 2 log2 P links rather than P - 1.
 *   <li>{@link #gatherSum}: the all-reduce of small buffers (up to {@link #MAX_SUM_BYTES}), where the ring's 2(P - 1)
 *       sequential steps cost more than the bytes: every member gathers every member's values (one exchange in a
 *       fully connected group, ceil(log2 P) in a sparse one) and sums them itself, member 0's first. Every member
 *       adds the same float32 values in the same order, so every member ends with the same bits, as after the ring
 *       (whose order of additions differs: the sums agree to float32 rounding). Each member sends and receives
 *       P - 1 times the buffer, hence the size limit. On a bfloat16 wire each member's values are rounded once
 *       (four to a long); the sums are float32.
 * </ul>
 */
final class LatencyCollectives {

    /** Buffers up to this size (64 KiB) are all-reduced by {@link #gatherSum} by default. */
    static final long MAX_SUM_BYTES = 64 << 10;

    /** One step's exchange, run by the group over its links (positions are within the group). */
    @FunctionalInterface
    interface Step {
        /**
         * Sends {@code out} to position {@code to} while receiving {@code in} from position {@code from}.
         *
         * @param to the member d before this one
         * @param out the blocks sent (little-endian longs, ready to read)
         * @param from the member d after this one
         * @param in where the same number of values arrive
         * @param values longs in each direction
         * @param distance d, for messages
         */
        void exchange(int to, ByteBuffer out, int from, ByteBuffer in, long values, int distance);
    }

    private LatencyCollectives() {}

    /**
     * @param size P
     * @param position this member's position
     * @param local its values, the same length on every member
     * @param step the group's exchange
     * @return every member's values in position order
     */
    static long[] gather(int size, int position, long[] local, Step step) {
        int n = local.length;
        long[] held = new long[size * n]; // block i: the values of member (position + i) mod size
        System.arraycopy(local, 0, held, 0, n);
        for (int distance = 1; distance < size; distance *= 2) {
            int count = Math.min(distance, size - distance);
            ByteBuffer out = ByteBuffer.allocateDirect(count * n * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count * n; i++) {
                out.putLong(held[i]);
            }
            out.flip();
            ByteBuffer in = ByteBuffer.allocateDirect(count * n * 8).order(ByteOrder.LITTLE_ENDIAN);
            step.exchange(Math.floorMod(position - distance, size), out, (position + distance) % size, in,
                    (long) count * n, distance);
            in.flip();
            for (int i = 0; i < count * n; i++) {
                held[distance * n + i] = in.getLong();
            }
        }
        long[] all = new long[size * n];
        for (int i = 0; i < size; i++) {
            System.arraycopy(held, i * n, all, ((position + i) % size) * n, n);
        }
        return all;
    }

    /**
     * The members one member exchanges with: those at distances +-2^k (2^k &lt; P) around the ring. Symmetric: q is
     * a peer of r iff r is one of q.
     *
     * @param members the group's world ranks, ascending
     * @param position this member's position in them
     * @return world ranks, this member's excluded, ascending
     */
    static int[] peers(int[] members, int position) {
        int p = members.length;
        TreeSet<Integer> peers = new TreeSet<>();
        for (int distance = 1; distance < p; distance *= 2) {
            peers.add(members[(position + distance) % p]);
            peers.add(members[Math.floorMod(position - distance, p)]);
        }
        peers.remove(members[position]);
        return peers.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param mine this member's values
     * @param size P
     * @param wire what the values travel as: float32 (two per long, exactly) or bfloat16 (four per long, each
     *     rounded once; the sum is float32)
     * @param gather the group's all-gather of longs (every member's, in member order)
     * @return the element-wise sums over the members, in member order
     */
    static float[] gatherSum(float[] mine, int size, WireDtype wire, UnaryOperator<long[]> gather) {
        int n = mine.length;
        int perLong = 8 / wire.bytes();
        int shift = 8 * wire.bytes();
        long mask = (1L << shift) - 1;
        long[] bits = new long[(n + perLong - 1) / perLong];
        for (int i = 0; i < n; i++) {
            long value = wire == WireDtype.BFLOAT16 ? Bfloat16.fromFloat(mine[i]) : Float.floatToRawIntBits(mine[i]);
            bits[i / perLong] |= (value & mask) << (shift * (i % perLong));
        }
        long[] all = gather.apply(bits);
        int width = bits.length;
        float[] sum = new float[n];
        for (int q = 0; q < size; q++) {
            for (int i = 0; i < n; i++) {
                long value = all[q * width + i / perLong] >>> (shift * (i % perLong));
                sum[i] += wire == WireDtype.BFLOAT16 ? Bfloat16.toFloat((short) value)
                        : Float.intBitsToFloat((int) value);
            }
        }
        return sum;
    }
}
