package org.omnispark.expertparallel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.omnispark.expertparallel.transport.Frames;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.expertparallel.transport.WireDtype;

/**
 * The all-reduce of a group whose size is a power of two, in 2 log2 P sequential exchanges rather than the ring's
 * 2(P - 1) (Rabenseifner's algorithm; Thakur, Rabenseifner and Gropp, "Optimization of Collective Communication
 * Operations in MPICH", IJHPCA 2005): the same bytes as the ring, far fewer steps where the latency of a step
 * dominates (a large replica group).
 *
 * <ol>
 *   <li>Reduce-scatter by recursive halving: at distance d = P/2, P/4, ..., 1 a member exchanges with the member at
 *       position {@code position XOR d}; the one whose bit d is clear keeps the lower half of its current segment
 *       and sends the upper half, the other the reverse; each adds what it receives to the half it keeps. After log2 P
 *       steps member i holds segment i of the binary split of the buffer ({@link #segmentStart}) summed over every
 *       member. Each segment is summed by exactly one member, so its bits are defined once.
 *   <li>All-gather by recursive doubling: at d = 1, 2, ..., P/2 the same partners swap the segments they hold, which
 *       double; the final sums are only copied, so every member ends with the same bits.
 * </ol>
 *
 * The partner at {@code XOR d} sits at distance +-d around the ring: within the links of a sparse group ({@link
 * LatencyCollectives#peers}: +-2^k), so it runs where the ring and Bruck's gather run.
 */
final class HalvingDoublingAllReduce {

    /** One step's exchange with one partner, run by the group over its link. */
    @FunctionalInterface
    interface Exchange {
        /**
         * Sends {@code out} to position {@code partner} while receiving {@code in} (exactly its remaining bytes,
         * float32 little-endian) from it; may move both buffers' positions.
         *
         * @param step names the step, for messages
         */
        void exchange(int partner, ByteBuffer out, ByteBuffer in, String step);
    }

    private HalvingDoublingAllReduce() {}

    /** @return whether this algorithm applies: a power of two of at least 2 members */
    static boolean applies(int size) {
        return size >= 2 && Integer.bitCount(size) == 1;
    }

    /**
     * The first element of segment {@code index} of the binary split of {@code n} elements into {@code size}
     * segments: halves, then halves of halves, the lower half taking the smaller share ({@code floor(length / 2)}).
     */
    static long segmentStart(long n, int size, int index) {
        long lo = 0;
        long hi = n;
        for (int d = size / 2; d >= 1; d /= 2) {
            long mid = lo + (hi - lo) / 2;
            if ((index & d) == 0) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return lo;
    }

    /**
     * The exchange over a mesh: one float32 frame each way with the partner, under the group's next sequence number.
     *
     * @param mesh the connections
     * @param members the group's world ranks, by position
     * @param sequence the group's next collective sequence number (advanced by each call)
     * @param label the group's label of a phase, for errors
     * @return the exchange
     */
    static Exchange overMesh(PeerMesh mesh, int[] members, LongSupplier sequence, UnaryOperator<String> label) {
        return (partner, out, in, step) -> {
            long seq = sequence.getAsLong();
            Frames.Expect send = new Frames.Expect(Frames.FLOATS, WireDtype.FLOAT32, seq, out.remaining() / 4, 1, step);
            Frames.Expect receive = new Frames.Expect(Frames.FLOATS, WireDtype.FLOAT32, seq, in.remaining() / 4, 1,
                    step);
            mesh.exchange(List.of(new PeerMesh.Transfer(members[partner], send, out)),
                    List.of(new PeerMesh.Transfer(members[partner], receive, in)), label.apply(step));
        };
    }

    /**
     * Sums {@code values} over the group in place.
     *
     * @param values the buffer, float32 little-endian, position 0 and limit n * 4 (a native tensor's bytes)
     * @param size P, a power of two
     * @param position this member's position
     * @param between called with this member's complete segment (a view of {@code values}) between the two halves,
     *     where a hierarchical all-reduce sums it across other groups; may be null
     * @param exchange the group's exchange
     * @param phase what is reduced, for messages
     * @return the bytes this member sent
     */
    static long allReduce(ByteBuffer values, int size, int position, Consumer<FloatBuffer> between, Exchange exchange,
            String phase) {
        if (!applies(size)) {
            throw new IllegalArgumentException("recursive halving needs a power-of-two group, got " + size);
        }
        ByteBuffer all = values.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long n = all.limit() / 4;
        ByteBuffer incoming = ByteBuffer.allocateDirect((int) ((n - n / 2) * 4)).order(ByteOrder.LITTLE_ENDIAN);
        long sent = 0;
        long lo = 0;
        long hi = n;
        for (int d = size / 2; d >= 1; d /= 2) { // reduce-scatter
            long mid = lo + (hi - lo) / 2;
            boolean keepLower = (position & d) == 0;
            long keepFrom = keepLower ? lo : mid;
            long keepTo = keepLower ? mid : hi;
            long sendFrom = keepLower ? mid : lo;
            long sendTo = keepLower ? hi : mid;
            ByteBuffer in = incoming.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(0)
                    .limit((int) ((keepTo - keepFrom) * 4)).slice().order(ByteOrder.LITTLE_ENDIAN);
            // the exchange may move the buffers' positions (a socket read fills its buffer): hand it duplicates
            exchange.exchange(position ^ d, slice(all, sendFrom, sendTo), in.duplicate(),
                    phase + " reduce-scatter, distance " + d);
            sent += (sendTo - sendFrom) * 4;
            FloatBuffer add = in.asFloatBuffer();
            FloatBuffer into = slice(all, keepFrom, keepTo).asFloatBuffer();
            for (int i = 0; i < add.limit(); i++) {
                into.put(i, into.get(i) + add.get(i));
            }
            lo = keepFrom;
            hi = keepTo;
        }
        if (between != null && hi > lo) {
            between.accept(slice(all, lo, hi).asFloatBuffer());
        }
        for (int d = 1; d < size; d *= 2) { // all-gather: the partner holds the sibling block of the same parent
            int partnerBlock = (position ^ d) & ~(d - 1);   // the d members whose sums the partner holds
            ByteBuffer destination = slice(all, bound(n, size, partnerBlock), bound(n, size, partnerBlock + d));
            exchange.exchange(position ^ d, slice(all, lo, hi), destination, phase + " all-gather, distance " + d);
            sent += (hi - lo) * 4;
            int merged = position & ~(2 * d - 1);
            lo = bound(n, size, merged);
            hi = bound(n, size, merged + 2 * d);
        }
        return sent;
    }

    /** Where member {@code member}'s segment starts ({@code n} past the last member). */
    private static long bound(long n, int size, int member) {
        return member >= size ? n : segmentStart(n, size, member);
    }

    private static ByteBuffer slice(ByteBuffer all, long from, long to) {
        return all.duplicate().position((int) (from * 4)).limit((int) (to * 4)).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }
}
