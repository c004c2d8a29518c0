package org.omnispark.expertparallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.omnispark.expertparallel.transport.Frames;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.expertparallel.transport.WireDtype;

/**
 * The ring all-reduce of {@link RingAllReduce} (float32 wire), cut into pieces that stream: every ring step's chunk
 * travels as pieces of at most {@code pieceFloats}, and a piece goes on to the next member as soon as it is ready (its
 * partial sum added, or its complete value received), while later pieces are still on the wire. The members' send
 * and receive threads keep the links busy and the calling thread only adds; the whole all-reduce costs about one
 * pass of the data over the slowest link plus one piece per step, instead of 2(P-1) exchanges one after another.
 *
 * <p>The received partial sums land in {@code window} reused slots of one piece each (a fixed scratch of {@code
 * window x pieceFloats} floats per call, whatever the buffer's size); the all-gather receives straight into place.
 *
 * <p>Units: piece j of ring step s is unit {@code u = s m + j} (m pieces per chunk; steps 0..P-2 reduce-scatter,
 * P-1..2P-3 all-gather). The send of unit u needs unit u - m done (the piece it forwards was added or received
 * there), so units are finished in order and finishing u starts the send of u + m. Every member starts its frames in
 * unit order, so frame u of one member meets frame u of the next, under sequence number {@code base + u}.
 *
 * <p>Every element is added in the same order as in {@link RingAllReduce} (the ring's order; pieces only cut where an
 * addition happens, never how), so the result has the same bits, and every member ends with the same bits.
 */
final class PipelinedRingAllReduce {

    /** A piece's transfer under way. */
    @FunctionalInterface
    interface Transfer {
        /** Waits until it is done (or throws, naming who waited for what). */
        void await();
    }

    /** The group's links to its ring neighbours, one frame per unit. */
    interface Ring {
        /**
         * Starts sending unit {@code unit}'s float32 values to the next member.
         *
         * @param unit the unit, from 0 (the frame's sequence number is the group's base + unit)
         * @param payload the values (little-endian float32)
         * @param phase what is reduced and which step, for errors
         * @return the send under way
         */
        Transfer send(long unit, ByteBuffer payload, String phase);

        /**
         * Starts receiving unit {@code unit}'s values from the previous member.
         *
         * @param unit the unit
         * @param destination where they land (its size says how many)
         * @param phase for errors
         * @return the receive under way
         */
        Transfer receive(long unit, ByteBuffer destination, String phase);
    }

    /**
     * A ring over a mesh: unit u is a float32 frame numbered {@code base + u}, sent to {@code next} and received
     * from {@code previous} (world ranks).
     *
     * @param mesh the connections
     * @param next the next member's rank
     * @param previous the previous member's rank
     * @param base the sequence number of unit 0 (the group reserves one number per unit)
     * @param label the group's label of a phase, for errors
     * @return the ring
     */
    static Ring overMesh(PeerMesh mesh, int next, int previous, long base, UnaryOperator<String> label) {
        return new Ring() {
            @Override
            public Transfer send(long unit, ByteBuffer payload, String phase) {
                Frames.Expect out = new Frames.Expect(Frames.FLOATS, WireDtype.FLOAT32, base + unit,
                        payload.remaining() / 4, 1, phase);
                return mesh.start(List.of(new PeerMesh.Transfer(next, out, payload)), List.of(),
                        label.apply(phase))::await;
            }

            @Override
            public Transfer receive(long unit, ByteBuffer destination, String phase) {
                Frames.Expect in = new Frames.Expect(Frames.FLOATS, WireDtype.FLOAT32, base + unit,
                        destination.remaining() / 4, 1, phase);
                return mesh.start(List.of(), List.of(new PeerMesh.Transfer(previous, in, destination)),
                        label.apply(phase))::await;
            }
        };
    }

    private final int size;
    private final int position;
    private final long pieceFloats;
    private final int window;

    /**
     * @param size P, at least 2
     * @param position this member's position in the ring
     * @param pieceFloats the largest piece, in floats (at least 1)
     * @param window the reduce-scatter pieces received ahead (at least 1)
     */
    PipelinedRingAllReduce(int size, int position, long pieceFloats, int window) {
        if (size < 2 || position < 0 || position >= size || pieceFloats < 1 || window < 1) {
            throw new IllegalArgumentException("pipelined ring: size " + size + ", position " + position + ", piece "
                    + pieceFloats + " floats, window " + window);
        }
        this.size = size;
        this.position = position;
        this.pieceFloats = pieceFloats;
        this.window = window;
    }

    /**
     * @param n the buffer's length in floats
     * @return the units (frames each way) an all-reduce of n floats takes: 2(P-1) steps of m pieces
     */
    long units(long n) {
        return 2L * (size - 1) * piecesPerChunk(n);
    }

    private long piecesPerChunk(long n) {
        long maxChunk = (n + size - 1) / size;
        return Math.max(1, (maxChunk + pieceFloats - 1) / pieceFloats);
    }

    /**
     * Sums {@code values} over the ring, in place.
     *
     * @param values a contiguous float32 CPU tensor of at least one element
     * @param phase what is reduced
     * @param between called with a copy of the chunk this member holds complete after the reduce-scatter (written
     *     back before the all-gather sends it on), or null
     * @param ring the links
     * @return the payload bytes this member sent
     */
    long run(NDArray values, String phase, Consumer<NDArray> between, Ring ring) {
        int p = size;
        long n = values.getShape().size();
        long m = piecesPerChunk(n);
        long total = units(n);
        long reduceScatterUnits = (p - 1) * m;
        NDArray flat = values.reshape(-1); // a view: writes go to values
        ByteBuffer all = values.toByteBuffer(true);
        long[] start = new long[p + 1];
        for (int c = 0; c <= p; c++) {
            start[c] = n * c / p;
        }
        long slotFloats = Math.min(pieceFloats, (n + p - 1) / p);
        // closed only after a successful run: after a failed one the link threads may not have stopped
        // (PeerMesh.close names them); the values' manager frees the slots then
        NDArray slots = values.getManager().create(new Shape(window * slotFloats), DataType.FLOAT32);
        ByteBuffer slotBytes = slots.toByteBuffer(true);
        Transfer[] receives = new Transfer[Math.toIntExact(Math.min(total, window))];
        Deque<Transfer> sends = new ArrayDeque<>();
        long sent = 0;
        for (long u = 0; u < m; u++) { // step 0 forwards this member's own values: nothing to wait for
            sent += startSend(u, m, start, all, phase, ring, sends);
        }
        for (long u = 0; u < receives.length; u++) {
            receives[(int) u] = startReceive(u, m, reduceScatterUnits, start, all, slotBytes, slotFloats, phase, ring);
        }
        for (long u = 0; u < total; u++) {
            int slot = (int) (u % window);
            receives[slot].await();
            if (u < reduceScatterUnits) { // add the previous member's partial sum of this piece
                long[] piece = piece(u, m, start, receiveChunk(u / m));
                long length = piece[1] - piece[0];
                if (length > 0) {
                    try (NDArray part = flat.get(piece[0] + ":" + piece[1]);
                            NDArray add = slots.get((slot * slotFloats) + ":" + (slot * slotFloats + length))) {
                        part.addi(add);
                    }
                }
            }
            if (u + window < total) { // the slot is free again
                receives[slot] = startReceive(u + window, m, reduceScatterUnits, start, all, slotBytes, slotFloats,
                        phase, ring);
            }
            if (between != null && u == reduceScatterUnits - 1) {
                int complete = (position + 1) % p;
                RingAllReduce.whole(flat, start[complete], start[complete + 1], between);
                for (long w = reduceScatterUnits; w < reduceScatterUnits + m; w++) { // held back until now
                    sent += startSend(w, m, start, all, phase, ring, sends);
                }
            }
            long next = u + m;
            boolean heldBack = between != null && next >= reduceScatterUnits && next < reduceScatterUnits + m;
            if (next < total && !heldBack) {
                sent += startSend(next, m, start, all, phase, ring, sends);
            }
        }
        // the sends are awaited only now: waiting for one earlier could hold back the receives the ring waits on
        while (!sends.isEmpty()) {
            sends.removeFirst().await();
        }
        slots.close();
        return sent;
    }

    private long startSend(long u, long m, long[] start, ByteBuffer all, String phase, Ring ring,
            Deque<Transfer> sends) {
        long[] piece = piece(u, m, start, sendChunk(u / m));
        ByteBuffer payload = RingAllReduce.slice(all, piece[0] * 4, (piece[1] - piece[0]) * 4);
        sends.addLast(ring.send(u, payload, label(phase, u, m)));
        return payload.remaining();
    }

    private Transfer startReceive(long u, long m, long reduceScatterUnits, long[] start, ByteBuffer all,
            ByteBuffer slotBytes, long slotFloats, String phase, Ring ring) {
        long[] piece = piece(u, m, start, receiveChunk(u / m));
        long bytes = (piece[1] - piece[0]) * 4;
        ByteBuffer destination = u < reduceScatterUnits
                ? RingAllReduce.slice(slotBytes, (u % window) * slotFloats * 4, bytes)
                : RingAllReduce.slice(all, piece[0] * 4, bytes);
        return ring.receive(u, destination, label(phase, u, m));
    }

    /** @return [from, to) of piece (u mod m) of chunk c, in floats */
    private long[] piece(long u, long m, long[] start, int c) {
        long j = u % m;
        long from = Math.min(start[c + 1], start[c] + j * pieceFloats);
        long to = Math.min(start[c + 1], from + pieceFloats);
        return new long[] {from, to};
    }

    /** The chunk sent in ring step s (reduce-scatter for s &lt; P - 1, then all-gather), as in RingAllReduce. */
    private int sendChunk(long s) {
        return s < size - 1 ? Math.floorMod(position - (int) s, size)
                : Math.floorMod(position + 1 - (int) (s - (size - 1)), size);
    }

    private int receiveChunk(long s) {
        return s < size - 1 ? Math.floorMod(position - (int) s - 1, size)
                : Math.floorMod(position - (int) (s - (size - 1)), size);
    }

    private String label(String phase, long u, long m) {
        long s = u / m;
        return phase + (s < size - 1 ? " reduce-scatter " + s : " all-gather " + (s - (size - 1))) + " piece "
                + (u % m) + "/" + m;
    }
}
