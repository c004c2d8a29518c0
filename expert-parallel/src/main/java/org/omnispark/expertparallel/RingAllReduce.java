package org.omnispark.expertparallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.omnispark.expertparallel.transport.Frames;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.expertparallel.transport.WireDtype;

/**
 * The ring all-reduce of a {@link MeshProcessGroup} of P members: a reduce-scatter (P - 1 steps; after it, member i
 * holds the complete sum of chunk (i + 1) mod P), then an all-gather (P - 1 steps passing the complete chunks on).
 * Each member sends and receives 2(P-1)/P of the buffer. Every element's sum is computed once, by the chunk's owner,
 * and then only copied: every member ends with the same bits.
 *
 * <p>With a {@link WireDtype#BFLOAT16} wire, every chunk travels as bfloat16 ({@link Bfloat16}) while the arithmetic
 * stays float32: a member widens what it receives and adds it in float32. The owner of a complete chunk rounds its
 * own copy to bfloat16 before the all-gather, so that it holds exactly what the others receive: the members still end
 * with the same bits. A partial sum is rounded once per hop (P - 1 hops) and the complete sum once more: each element
 * is within about P 2^-8 of the sum of the magnitudes added (docs/expert-parallel.md derives the bound).
 */
final class RingAllReduce {

    /**
     * The group's exchange with its ring neighbours: one frame of the wire's dtype to the next member while one
     * arrives from the previous, under a new collective sequence number.
     */
    @FunctionalInterface
    interface Shift {
        /**
         * @param payload what goes to the next member (values of the wire's dtype, little-endian)
         * @param destination where the previous member's values arrive (its size says how many)
         * @param phase the step, for errors
         */
        void exchange(ByteBuffer payload, ByteBuffer destination, String phase);
    }

    /**
     * The shift over a mesh: each exchange one frame of the mesh's wire dtype to {@code next} and one from {@code
     * previous} (world ranks), under the group's next sequence number.
     *
     * @param mesh the connections
     * @param next the next member's rank
     * @param previous the previous member's rank
     * @param sequence the group's next collective sequence number (advanced by each call)
     * @param label the group's label of a phase, for errors
     * @return the shift
     */
    static Shift overMesh(PeerMesh mesh, int next, int previous, LongSupplier sequence, UnaryOperator<String> label) {
        WireDtype wire = mesh.wireDtype();
        return (payload, destination, step) -> {
            long seq = sequence.getAsLong();
            Frames.Expect out = new Frames.Expect(Frames.FLOATS, wire, seq, payload.remaining() / wire.bytes(), 1,
                    step);
            Frames.Expect in = new Frames.Expect(Frames.FLOATS, wire, seq, destination.remaining() / wire.bytes(), 1,
                    step);
            mesh.exchange(List.of(new PeerMesh.Transfer(next, out, payload)),
                    List.of(new PeerMesh.Transfer(previous, in, destination)), label.apply(step));
        };
    }

    private final int size;
    private final int position;
    private final WireDtype wire;
    private final Shift shift;

    /**
     * @param size P, at least 2
     * @param position this member's position in the ring
     * @param wire the dtype chunks travel as (float32 or bfloat16)
     * @param shift the group's exchange with its neighbours
     */
    RingAllReduce(int size, int position, WireDtype wire, Shift shift) {
        this.size = size;
        this.position = position;
        this.wire = wire;
        this.shift = shift;
    }

    /**
     * Sums {@code values} over the ring, in place.
     *
     * @param values a contiguous float32 CPU tensor of at least one element
     * @param phase what is reduced
     * @param between called with a copy of the chunk this member holds complete after the reduce-scatter (written
     *     back before the all-gather), or null
     * @return the payload bytes this member sent
     */
    long run(NDArray values, String phase, Consumer<NDArray> between) {
        int p = size;
        long n = values.getShape().size();
        NDArray flat = values.reshape(-1); // a view: writes go to values
        long[] start = new long[p + 1];
        long maxChunk = 0;
        for (int c = 0; c <= p; c++) {
            start[c] = n * c / p;
            maxChunk = c == 0 ? 0 : Math.max(maxChunk, start[c] - start[c - 1]);
        }
        ByteBuffer all = values.toByteBuffer(true);
        boolean narrow = wire == WireDtype.BFLOAT16;
        // float32: chunks arrive in a float32 tensor and are added by libtorch (as before the bf16 wire existed);
        // bfloat16: they are narrowed into and widened from byte tensors, and added by Bfloat16.widenAdd. The
        // staging tensors are closed only after a successful run: after a failed exchange whose link threads did not
        // stop (PeerMesh.exchange), their memory must stay allocated; the values' manager frees it later
        NDArray incoming = values.getManager().create(new Shape(narrow ? maxChunk * wire.bytes() : maxChunk),
                narrow ? DataType.INT8 : DataType.FLOAT32);
        NDArray outgoing = narrow ? values.getManager().create(new Shape(maxChunk * wire.bytes()), DataType.INT8)
                : null;
        ByteBuffer incomingBytes = maxChunk == 0 ? ByteBuffer.allocateDirect(0) : incoming.toByteBuffer(true);
        ByteBuffer outgoingBytes = outgoing == null || maxChunk == 0 ? null : outgoing.toByteBuffer(true);
        long sent = 0;
        for (int s = 0; s < p - 1; s++) { // reduce-scatter: after it, chunk (position + 1) % p is complete here
            int sendChunk = Math.floorMod(position - s, p);
            int receiveChunk = Math.floorMod(position - s - 1, p);
            long length = start[receiveChunk + 1] - start[receiveChunk];
            ByteBuffer arrived = slice(incomingBytes, 0, length * wire.bytes());
            sent += send(all, start, sendChunk, outgoingBytes, arrived, phase + " reduce-scatter " + s);
            if (narrow) {
                Bfloat16.widenAdd(arrived, floats(all, start, receiveChunk));
            } else {
                try (NDArray part = flat.get(start[receiveChunk] + ":" + start[receiveChunk + 1]);
                        NDArray add = incoming.get("0:" + length)) {
                    part.addi(add);
                }
            }
        }
        int complete = (position + 1) % p;
        if (between != null) {
            whole(flat, start[complete], start[complete + 1], between);
        }
        if (narrow) { // the owner keeps what the others will receive
            Bfloat16.roundInPlace(floats(all, start, complete));
        }
        for (int s = 0; s < p - 1; s++) { // all-gather: pass the complete chunks around the ring
            int sendChunk = Math.floorMod(position + 1 - s, p);
            int receiveChunk = Math.floorMod(position - s, p);
            long length = start[receiveChunk + 1] - start[receiveChunk];
            ByteBuffer target = floats(all, start, receiveChunk);
            ByteBuffer arrived = narrow ? slice(incomingBytes, 0, length * wire.bytes()) : target;
            sent += send(all, start, sendChunk, outgoingBytes, arrived, phase + " all-gather " + s);
            if (narrow) {
                Bfloat16.widen(arrived, target);
            }
        }
        incoming.close();
        if (outgoing != null) {
            outgoing.close();
        }
        return sent;
    }

    /**
     * Sends chunk {@code sendChunk} to the next member (narrowed into {@code outgoing} first on a bfloat16 wire)
     * while the previous member's values arrive in {@code destination}; returns the bytes sent.
     */
    private long send(ByteBuffer all, long[] start, int sendChunk, ByteBuffer outgoing, ByteBuffer destination,
            String phase) {
        ByteBuffer chunk = floats(all, start, sendChunk);
        ByteBuffer payload = chunk;
        if (wire == WireDtype.BFLOAT16) {
            payload = slice(outgoing == null ? chunk : outgoing, 0, (long) chunk.remaining() / 4 * wire.bytes());
            Bfloat16.narrow(chunk, payload);
        }
        shift.exchange(payload, destination.duplicate(), phase); // the receive fills (moves) the duplicate
        return payload.remaining();
    }

    /** @return the float32 bytes of chunk {@code c} of the buffer */
    private static ByteBuffer floats(ByteBuffer all, long[] start, int c) {
        return slice(all, start[c] * 4, (start[c + 1] - start[c]) * 4);
    }

    /**
     * Hands a copy of {@code flat[from, to)} to {@code between} and writes it back; nothing for an empty chunk (the
     * ranks that hold the same chunk index all skip it alike).
     */
    static void whole(NDArray flat, long from, long to, Consumer<NDArray> between) {
        if (from == to) {
            return;
        }
        NDIndex range = new NDIndex(from + ":" + to);
        try (NDArray view = flat.get(range); NDArray chunk = view.duplicate()) {
            between.accept(chunk);
            flat.set(range, chunk);
        }
    }

    static ByteBuffer slice(ByteBuffer buffer, long offset, long length) {
        return buffer.duplicate().position(Math.toIntExact(offset)).limit(Math.toIntExact(offset + length)).slice();
    }

    /**
     * Hands a copy of {@code segment} (a complete chunk of another algorithm, e.g. {@link HalvingDoublingAllReduce})
     * to {@code between} as a tensor and writes its values back.
     */
    static void hand(ai.djl.ndarray.NDManager manager, java.nio.FloatBuffer segment,
            java.util.function.Consumer<NDArray> between) {
        float[] values = new float[segment.remaining()];
        segment.duplicate().get(values);
        try (NDArray chunk = manager.create(values)) {
            between.accept(chunk);
            segment.duplicate().put(chunk.toFloatArray());
        }
    }
}
