package org.omnispark.expertparallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.omnispark.expertparallel.transport.FrameLimit;
import org.omnispark.expertparallel.transport.Frames;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.expertparallel.transport.WireDtype;
import org.omnispark.trainer.parallel.ProcessGroup;

/**
 * A {@link ProcessGroup} over some ranks of a {@link PeerMesh} (all of them: the world; or a sub-group such as the
 * ranks holding the same experts). Payloads go from tensor memory to the socket and from the socket into tensor
 * memory (direct buffers over libtorch storage), never through Java arrays (counts and small all-reduces aside).
 *
 * <ul>
 *   <li>{@link #allToAll}: every pair exchanges one frame in each direction, empty ones included, all at once;
 *       the rows a rank keeps for itself are copied natively.
 *   <li>{@link #allReduceSum}: ring reduce-scatter then ring all-gather (2(P-1)/P of the buffer each way; a step
 *       at a time, {@link RingAllReduce}, or on a float32 wire with {@code expert_parallel.ring_piece_kb} set,
 *       streamed in pieces, {@link PipelinedRingAllReduce}), or in a sparse power-of-two group recursive halving and doubling ({@link
 *       HalvingDoublingAllReduce}: the same bytes in 2 log2 P steps); each element's sum is computed on one rank and
 *       copied, so every rank ends with the same bits. Up to {@link LatencyCollectives#MAX_SUM_BYTES}: gathered and
 *       summed in rank order (one round trip), the same bits everywhere.
 *   <li>{@link #allGather}: every rank sends its values to every other; in a sparse group (a large replica group)
 *       by doubling ({@link LatencyCollectives#gather}), with links to the members at distances +-2^k only.
 * </ul>
 *
 * <p>Token rows and all-reduce chunks travel as the mesh's {@link PeerMesh#wireDtype} ({@code
 * expert_parallel.wire_dtype}): float32 by default, exactly; or bfloat16, half the bytes: every row of an all-to-all
 * (this rank's own included, so a token's value does not depend on where its expert is) arrives rounded to bfloat16
 * ({@link Bfloat16}), and the all-reduce adds in float32 what arrives as bfloat16, every rank still ending with the
 * same bits. A group of one sends nothing and rounds nothing. Counts and agreements ({@link #allGather}) are exact.
 */
public final class MeshProcessGroup implements ProcessGroup {

    /** The reduce-scatter pieces a pipelined ring receives ahead. */
    static final int PIECE_WINDOW = 4;

    private final PeerMesh mesh;
    private final int[] members; // world ranks, ascending
    private final int rank; // position of this rank in members
    private final String name;
    private final CommunicationClock clock;
    private final WireDtype wire; // what token rows and all-reduce chunks travel as: the mesh's
    private final boolean sparse; // all-gathers by doubling distances: needs links to members at +-2^k only
    private long smallAllReduceBytes = LatencyCollectives.MAX_SUM_BYTES;
    private long pieceFloats; // 0: the ring a step at a time
    private long sequence;
    private long step = -1;

    /**
     * @param mesh the connections
     * @param members the world ranks of this group, ascending; must contain the mesh's rank
     * @param name the group's name for messages (e.g. "world")
     * @param clock where communication time is recorded
     */
    public MeshProcessGroup(PeerMesh mesh, int[] members, String name, CommunicationClock clock) {
        this(mesh, members, name, clock, false);
    }

    /**
     * @param mesh the connections
     * @param members the world ranks of this group, ascending; must contain the mesh's rank
     * @param name the group's name for messages (e.g. "replica")
     * @param clock where communication time is recorded
     * @param sparse true: all-gathers by Bruck's doubling ({@link LatencyCollectives#gather}: log2(size) steps, links to the
     *     members at distances +-2^k only), all-reduces by the ring (distance 1); no all-to-all. False: every member
     *     exchanges with every other
     */
    public MeshProcessGroup(PeerMesh mesh, int[] members, String name, CommunicationClock clock, boolean sparse) {
        this.sparse = sparse;
        this.mesh = mesh;
        this.members = members.clone();
        this.name = name;
        this.clock = clock;
        this.wire = mesh.wireDtype();
        this.pieceFloats = mesh.ringPieceBytes() / 4;
        int position = Arrays.binarySearch(this.members, mesh.rank());
        if (position < 0) {
            throw new IllegalArgumentException("rank " + mesh.rank() + " is not a member of group " + name + " "
                    + Arrays.toString(members));
        }
        this.rank = position;
    }

    /**
     * @param bytes all-reduces of at most this many bytes gather and sum in rank order, larger ones take the ring (0:
     *     always the ring; {@link LatencyCollectives#MAX_SUM_BYTES} by default)
     * @return this
     */
    MeshProcessGroup withSmallAllReduceBytes(long bytes) {
        this.smallAllReduceBytes = bytes;
        return this;
    }

    /** @param floats the ring's pieces in floats; 0: a step at a time (tests: a few floats) @return this */
    MeshProcessGroup withPieceFloats(long floats) {
        this.pieceFloats = floats;
        return this;
    }

    /** @return the largest frame the mesh carries, for sizes derived from peers' counts */
    FrameLimit frameLimit() {
        return mesh.frameLimit();
    }

    /** @return the world ranks of this group */
    public int[] members() {
        return members.clone();
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return members.length;
    }

    private String label(String phase) {
        String when = step < 0 || phase.startsWith("step ") ? "" : "step " + step + " ";
        return when + phase + " [" + name + " group, collective #" + sequence + "]";
    }

    /** @param step the update the next collectives belong to (for messages) */
    void beginStep(long step) {
        this.step = step;
    }

    @Override
    public long[] allGather(long[] local, String phase) {
        long begin = System.nanoTime();
        long[] all = gather(local, phase);
        clock.add(CommunicationClock.Kind.WAIT, System.nanoTime() - begin,
                (long) local.length * 8 * (members.length - 1));
        return all;
    }

    /** The all-gather, unclocked: direct (every member to every other) or by doubling in a sparse group. */
    private long[] gather(long[] local, String phase) {
        if (members.length == 1) {
            sequence++;
            return local.clone();
        }
        if (sparse) {
            return doublingAllGather(local, phase);
        }
        long seq = sequence++;
        String label = label(phase);
        int n = local.length;
        ByteBuffer mine = ByteBuffer.allocateDirect(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : local) {
            mine.putLong(v);
        }
        mine.flip();
        Frames.Expect frame = new Frames.Expect(Frames.LONGS, seq, n, 1, phase);
        ByteBuffer[] received = new ByteBuffer[members.length];
        List<PeerMesh.Transfer> sends = new ArrayList<>();
        List<PeerMesh.Transfer> receives = new ArrayList<>();
        for (int q = 0; q < members.length; q++) {
            if (q == rank) {
                continue;
            }
            sends.add(new PeerMesh.Transfer(members[q], frame, mine.duplicate()));
            received[q] = ByteBuffer.allocateDirect(n * 8).order(ByteOrder.LITTLE_ENDIAN);
            receives.add(new PeerMesh.Transfer(members[q], frame, received[q]));
        }
        mesh.exchange(sends, receives, label);
        long[] all = new long[n * members.length];
        System.arraycopy(local, 0, all, rank * n, n);
        for (int q = 0; q < members.length; q++) {
            if (q != rank) {
                received[q].flip();
                for (int i = 0; i < n; i++) {
                    all[q * n + i] = received[q].getLong();
                }
            }
        }
        return all;
    }

    /** {@link LatencyCollectives#gather} over this group's links, one collective sequence number per step. */
    private long[] doublingAllGather(long[] local, String phase) {
        return LatencyCollectives.gather(members.length, rank, local, (to, out, from, in, values, distance) -> {
            Frames.Expect frame = new Frames.Expect(Frames.LONGS, sequence++, values, 1, phase);
            mesh.exchange(List.of(new PeerMesh.Transfer(members[to], frame, out)),
                    List.of(new PeerMesh.Transfer(members[from], frame, in)),
                    label(phase + " (all-gather at distance " + distance + ")"));
        });
    }

    @Override
    public NDArray allToAll(NDArray rows, long[] inputSplits, long[] outputSplits, String phase) {
        return allToAll(rows, inputSplits, outputSplits, phase, CommunicationClock.Kind.DISPATCH);
    }

    /**
     * {@link #allToAll(NDArray, long[], long[], String)} recording its time under {@code kind}.
     *
     * @param rows {@code [sum(inputSplits), d]}
     * @param inputSplits rows to each member
     * @param outputSplits rows from each member
     * @param phase for errors
     * @param kind the clock's bucket
     * @return {@code [sum(outputSplits), d]}
     */
    public NDArray allToAll(NDArray rows, long[] inputSplits, long[] outputSplits, String phase,
            CommunicationClock.Kind kind) {
        long begin = System.nanoTime();
        long seq = sequence++;
        String label = label(phase);
        if (members.length == 1 && inputSplits.length == 1 && inputSplits[0] == outputSplits[0]) {
            return rows.stopGradient(); // a group of one keeps its rows: a detached view, no copy
        }
        if (inputSplits.length != members.length || outputSplits.length != members.length) {
            throw new IllegalArgumentException(label + ": splits need " + members.length + " entries, got "
                    + inputSplits.length + " and " + outputSplits.length);
        }
        requireFloat32(rows, label);
        int columns = Math.toIntExact(rows.getShape().dimension() == 2 ? rows.getShape().get(1) : 1);
        long sent = sum(inputSplits);
        if (rows.getShape().get(0) != sent) {
            throw new IllegalArgumentException(label + ": " + rows.getShape().get(0) + " rows but the input splits "
                    + Arrays.toString(inputSplits) + " sum to " + sent);
        }
        // the output splits come from the peers' counts: every size is checked against the configured maximum frame,
        // with exact arithmetic, before the result is allocated
        FrameLimit limit = mesh.frameLimit();
        long received = limit.sum(outputSplits, members, label);
        for (int q = 0; q < members.length; q++) {
            if (q != rank) {
                limit.check(members[q], true, outputSplits[q], columns, wire.bytes(), label);
                limit.check(members[q], false, inputSplits[q], columns, wire.bytes(), label);
            }
        }
        NDArray result = rows.getManager().create(new Shape(received, columns), DataType.FLOAT32);
        ByteBuffer source = sent == 0 ? ByteBuffer.allocateDirect(0) : rows.toByteBuffer(true);
        ByteBuffer target = result.getShape().get(0) == 0 ? ByteBuffer.allocateDirect(0) : result.toByteBuffer(true);
        // bfloat16: every row, this rank's own included (a token's value must not depend on where its expert is),
        // is narrowed into a byte tensor, travels, and is widened into the result after the exchange
        boolean narrow = wire == WireDtype.BFLOAT16;
        NDArray sourceOnWire = narrow ? bytes(rows, sent * columns * wire.bytes()) : null;
        NDArray targetOnWire = narrow ? bytes(rows, received * columns * wire.bytes()) : null;
        ByteBuffer wireTarget = target;
        if (narrow) {
            ByteBuffer floats = source;
            source = sent == 0 ? source : sourceOnWire.toByteBuffer(true);
            Bfloat16.narrow(floats, source);
            wireTarget = received == 0 ? target : targetOnWire.toByteBuffer(true);
        }
        long rowBytes = columns * (long) wire.bytes();
        List<PeerMesh.Transfer> sends = new ArrayList<>();
        List<PeerMesh.Transfer> receives = new ArrayList<>();
        long in = 0;
        long out = 0;
        long sentBytes = 0;
        ByteBuffer selfFrom = null;
        ByteBuffer selfTo = null;
        for (int q = 0; q < members.length; q++) {
            ByteBuffer from = RingAllReduce.slice(source, in * rowBytes, inputSplits[q] * rowBytes);
            ByteBuffer to = RingAllReduce.slice(wireTarget, out * rowBytes, outputSplits[q] * rowBytes);
            if (q == rank) {
                if (inputSplits[q] != outputSplits[q]) {
                    throw new IllegalArgumentException(label + ": this rank sends itself " + inputSplits[q]
                            + " rows but expects " + outputSplits[q]);
                }
                selfFrom = from;
                selfTo = to;
            } else {
                sends.add(new PeerMesh.Transfer(members[q],
                        new Frames.Expect(Frames.ROWS, wire, seq, inputSplits[q], columns, phase), from));
                receives.add(new PeerMesh.Transfer(members[q],
                        new Frames.Expect(Frames.ROWS, wire, seq, outputSplits[q], columns, phase), to));
                sentBytes += inputSplits[q] * rowBytes;
            }
            in += inputSplits[q];
            out += outputSplits[q];
        }
        // the rows this rank keeps are copied (natively, direct to direct) while the peers' travel
        final ByteBuffer keepFrom = selfFrom;
        final ByteBuffer keepTo = selfTo;
        mesh.exchange(sends, receives, label, () -> keepTo.put(keepFrom));
        if (narrow) { // closed only after a successful exchange (PeerMesh.exchange: a failed one may leave threads)
            Bfloat16.widen(wireTarget, target);
            sourceOnWire.close();
            targetOnWire.close();
        }
        clock.add(kind, System.nanoTime() - begin, sentBytes);
        return result;
    }

    /** @return an uninitialized byte tensor of {@code n} bytes in {@code like}'s manager, for values on the wire */
    private static NDArray bytes(NDArray like, long n) {
        return like.getManager().create(new Shape(n), DataType.INT8);
    }

    @Override
    public void allReduceSum(NDArray values, String phase) {
        allReduceSum(values, phase, null);
    }

    /**
     * {@link #allReduceSum(NDArray, String)}, handing the chunk this rank holds complete after the reduce-scatter to
     * {@code between} before the all-gather passes it on (a hierarchical all-reduce sums that chunk across other
     * groups there: reduce-scatter here, all-reduce of 1/P of the buffer there, all-gather here).
     *
     * @param values a contiguous float32 CPU tensor, any shape
     * @param phase what is reduced
     * @param between called with a copy of the complete chunk (the whole buffer in a group of one), whose values it
     *     may change in place; or null
     */
    void allReduceSum(NDArray values, String phase, java.util.function.Consumer<NDArray> between) {
        long begin = System.nanoTime();
        requireFloat32(values, phase);
        int p = members.length;
        long n = values.getShape().size();
        if (p == 1 || n == 0) {
            sequence++;
            if (between != null) {
                RingAllReduce.whole(values.reshape(-1), 0, n, between);
            }
            return;
        }
        NDArray flat = values.reshape(-1); // a view: writes go to values
        if (n * 4 <= smallAllReduceBytes) { // latency-bound: one gather (log2 P steps if sparse), not 2(P-1) steps
            float[] sum = LatencyCollectives.gatherSum(values.toFloatArray(), p, wire,
                    bits -> gather(bits, phase + " (small: gathered, summed in rank order)"));
            try (NDArray result = values.getManager().create(sum)) {
                flat.set(new ai.djl.ndarray.index.NDIndex("0:" + n), result);
            }
            if (between != null) {
                RingAllReduce.whole(flat, 0, n, between);
            }
            clock.add(CommunicationClock.Kind.ALL_REDUCE, System.nanoTime() - begin, n * wire.bytes() * (p - 1));
            return;
        }
        if (usesHalvingDoubling()) {
            long sent = HalvingDoublingAllReduce.allReduce(values.toByteBuffer(true), p, rank,
                    between == null ? null : segment -> RingAllReduce.hand(values.getManager(), segment, between),
                    HalvingDoublingAllReduce.overMesh(mesh, members, () -> sequence++, this::label), phase);
            clock.add(CommunicationClock.Kind.ALL_REDUCE, System.nanoTime() - begin, sent);
            return;
        }
        int next = members[(rank + 1) % p];
        int previous = members[(rank - 1 + p) % p];
        long sentBytes; // the ring: a step at a time, or streamed in pieces on a float32 wire when asked
        if (wire == WireDtype.FLOAT32 && pieceFloats > 0) {
            PipelinedRingAllReduce ring = new PipelinedRingAllReduce(p, rank, pieceFloats, PIECE_WINDOW);
            long base = sequence;
            sequence += ring.units(n); // every unit is a frame of its own number, the same on every member
            sentBytes = ring.run(values, phase, between, PipelinedRingAllReduce.overMesh(mesh, next, previous, base,
                    this::label));
        } else {
            sentBytes = new RingAllReduce(p, rank, wire, RingAllReduce.overMesh(mesh, next, previous,
                    () -> sequence++, this::label)).run(values, phase, between);
        }
        clock.add(CommunicationClock.Kind.ALL_REDUCE, System.nanoTime() - begin, sentBytes);
    }

    /**
     * Whether a large all-reduce takes {@link HalvingDoublingAllReduce}: in a sparse power-of-two group with a float32
     * wire (where the ring's steps dominate); elsewhere the ring stays, and the bits earlier runs produced.
     */
    boolean usesHalvingDoubling() {
        return sparse && wire == WireDtype.FLOAT32 && HalvingDoublingAllReduce.applies(members.length);
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            if (v < 0) {
                throw new IllegalArgumentException("negative split " + v);
            }
            total += v;
        }
        return total;
    }

    private static void requireFloat32(NDArray array, String phase) {
        if (array.getDataType() != DataType.FLOAT32
                || !ai.djl.Device.Type.CPU.equals(array.getDevice().getDeviceType())) {
            throw new IllegalArgumentException(phase + ": exchanges carry float32 CPU tensors, got "
                    + array.getDataType() + " on " + array.getDevice());
        }
    }

    @Override
    public String toString() {
        return "MeshProcessGroup{" + name + " " + Arrays.toString(members) + ", rank " + rank + "}";
    }
}
