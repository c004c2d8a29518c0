package org.omnispark.expertparallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.omnispark.expertparallel.transport.FrameLimit;
import org.omnispark.expertparallel.transport.ProtocolException;
import org.omnispark.expertparallel.transport.TransportException;
import org.omnispark.trainer.moe.BatchStatistics;
import org.omnispark.trainer.moe.DispatchedTokens;
import org.omnispark.trainer.moe.RoutingResult;
import org.omnispark.trainer.moe.RowGather;
import org.omnispark.trainer.moe.TokenDispatcher;
import org.omnispark.trainer.moe.TokenPermutation;
import org.omnispark.trainer.parallel.ExpertPlacement;
import org.omnispark.trainer.parallel.ProcessGroup;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * The expert-parallel {@link TokenDispatcher}: tokens travel to the ranks holding their experts and back, by
 * all-to-all over the {@link MeshProcessGroup}. It is the only model component that communicates.
 *
 * <pre>
 *   dispatch: counts   all-gather of each rank's assignments per expert and valid tokens (expert-parallel group),
 *                      then of each group's totals (replica group: one row per group, not per rank)
 *                      -> the batch's statistics for the router losses, the capacity per expert over the WHOLE batch
 *                         (ranks in order, tokens in order: the single-process drops), the group's kept counts,
 *                         hence every input and output split without another message
 *             permute  rows of this rank's tokens by expert = by destination rank       P [S, d]
 *             a2a      P -> rows for the local experts, grouped by source rank            R [Rn, d]  (leaf)
 *             sort     R grouped by local expert (a gather)                               [Rn, d]
 *   experts:  run on the sorted rows
 *   combine:  unsort   back to source-rank order (a gather)                               Y [Rn, d]
 *             a2a      Y -> the outputs of this rank's rows                               Z [S, d]  (leaf)
 *             weighted un-permutation (local)                                             [T, d]
 * </pre>
 *
 * Under a {@link StagedBackward} each a2a records a stage: the gradient of its received rows goes back with the
 * splits swapped, and the backward continues from the rows that were sent. Every rank makes both a2a calls with
 * every peer every time, zero rows included.
 */
public final class AllToAllTokenDispatcher implements TokenDispatcher {

    private final MeshProcessGroup expertGroup;
    private final ProcessGroup replicas;
    private final ExpertPlacement placement;
    private final double capacityFactor;
    private final String layerName;
    private final HostStaging staging;

    /** What combine needs from dispatch. */
    private record Exchange(long[] inputSplits, long[] outputSplits, long[] unsort, boolean training) {}

    /**
     * @param expertGroup the ranks among which tokens travel and routing counts are gathered per rank
     * @param replicas the ranks holding the same experts, one per expert-parallel group in world order: they gather
     *     their groups' total counts (a group of one when there is one expert-parallel group)
     * @param placement this rank's experts
     * @param capacityFactor {@code <= 0}: dropless
     * @param layerName for messages
     * @param staging how the rows enter the mesh (device rows are copied to host memory and the result back)
     */
    public AllToAllTokenDispatcher(MeshProcessGroup expertGroup, ProcessGroup replicas, ExpertPlacement placement,
            double capacityFactor, String layerName, HostStaging staging) {
        this.staging = staging;
        this.expertGroup = expertGroup;
        this.replicas = replicas;
        this.placement = placement;
        this.capacityFactor = capacityFactor;
        this.layerName = layerName;
    }

    @Override
    public DispatchedTokens dispatch(NDArray hidden, RoutingResult routing) {
        int numExperts = routing.numExperts();
        if (numExperts != placement.numExperts()) {
            throw new IllegalArgumentException(layerName + ": the router has " + numExperts + " experts, the placement "
                    + placement.numExperts());
        }
        int width = numExperts + 2; // assignments per expert, valid tokens, k (0 on a rank without tokens)
        long[] mine = new long[width];
        System.arraycopy(routing.tokensPerExpert(), 0, mine, 0, numExperts);
        mine[numExperts] = routing.numValidTokens();
        mine[numExperts + 1] = routing.topK();
        int groupSize = expertGroup.size();
        long[] counts = expertGroup.allGather(mine, layerName + " routing counts");
        long[] groupTotal = totals(counts, groupSize, expertGroup.members(), numExperts, "routing counts");
        // the other expert-parallel groups' totals, in world order (one number per expert, not one per rank)
        long[] groups = replicas.allGather(groupTotal, layerName + " routing counts of the expert-parallel groups");
        int numGroups = replicas.size();
        long[] batch = totals(groups, numGroups, placement.expertReplicaRanks(), numExperts,
                "routing counts of the expert-parallel groups");
        long[] batchPerExpert = java.util.Arrays.copyOf(batch, numExperts);
        long batchValid = batch[numExperts];
        int topK = (int) batch[numExperts + 1];
        long capacity = TokenPermutation.capacity(capacityFactor, batchValid, topK, numExperts);
        // assignments come in world-rank order (rank 0's tokens first, as in one process): the lower groups' first
        long[] before = new long[numExperts];
        for (int g = 0; g < replicas.rank(); g++) {
            for (int e = 0; e < numExperts; e++) {
                before[e] += groups[g * width + e];
            }
        }
        long[][] kept = new long[groupSize][numExperts]; // kept assignments per expert of every rank of this group
        long[] myRoom = new long[numExperts];
        for (int e = 0; e < numExperts; e++) {
            for (int q = 0; q < groupSize; q++) {
                long wanted = counts[q * width + e];
                long room = capacity == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, capacity - before[e]);
                kept[q][e] = Math.min(room, wanted);
                if (q == expertGroup.rank()) {
                    myRoom[e] = room;
                }
                before[e] += wanted;
            }
        }
        TokenPermutation.Plan plan = TokenPermutation.plan(routing, myRoom);

        int numLocal = placement.numLocalExperts();
        int offset = placement.localExpertOffset();
        long[] inputSplits = new long[groupSize];
        long[][] fromSource = new long[groupSize][numLocal]; // rows received per (source, local expert)
        long[] outputSplits = new long[groupSize];
        long[] perLocalExpert = new long[numLocal];
        for (int s = 0; s < groupSize; s++) {
            for (int l = 0; l < numLocal; l++) {
                inputSplits[s] += plan.keptPerExpert()[s * numLocal + l];
                fromSource[s][l] = kept[s][offset + l];
                outputSplits[s] += fromSource[s][l];
                perLocalExpert[l] += fromSource[s][l];
            }
        }

        // Training (a tape, grad mode on) is the same on every rank, so all record the same stages.
        boolean training = StagedBackward.recording();
        NDArray sent = TokenPermutation.permute(hidden, plan.sourceToken()); // [S, d], by expert = by destination
        NDArray received = exchange(sent, inputSplits, outputSplits, layerName + " dispatch",
                CommunicationClock.Kind.DISPATCH); // [Rn, d], by source rank, then local expert
        if (training) {
            recordStage(sent, received, inputSplits, outputSplits, layerName + " dispatch backward",
                    CommunicationClock.Kind.DISPATCH);
        }

        long[] sort = null;
        long[] unsort = null;
        if (groupSize > 1 && numLocal > 1) { // regroup by local expert
            long[] blockStart = new long[groupSize * numLocal];
            long cursor = 0;
            for (int s = 0; s < groupSize; s++) {
                for (int l = 0; l < numLocal; l++) {
                    blockStart[s * numLocal + l] = cursor;
                    cursor += fromSource[s][l];
                }
            }
            sort = new long[Math.toIntExact(cursor)];
            unsort = new long[sort.length];
            int row = 0;
            for (int l = 0; l < numLocal; l++) {
                for (int s = 0; s < groupSize; s++) {
                    for (long i = 0; i < fromSource[s][l]; i++) {
                        long source = blockStart[s * numLocal + l] + i;
                        sort[row] = source;
                        unsort[(int) source] = row;
                        row++;
                    }
                }
            }
        }
        NDArray permuted = sort == null || sort.length == 0 ? received : RowGather.rows(received, sort);
        return new DispatchedTokens(permuted, perLocalExpert, plan.keptPerExpert(), inputSplits, outputSplits,
                plan.sourceToken(), plan.combineIndex(), routing.weights(), routing.numTokens(), plan.dropped(),
                new BatchStatistics(batchPerExpert, batchValid),
                new Exchange(inputSplits, outputSplits, unsort, training));
    }

    @Override
    public NDArray combine(NDArray expertOutput, DispatchedTokens dispatched) {
        Exchange exchange = (Exchange) dispatched.exchange();
        if (expertOutput.getShape().get(0) != dispatched.numRows()) {
            throw new IllegalArgumentException(layerName + ": combine expects " + dispatched.numRows()
                    + " expert output rows, got " + expertOutput.getShape());
        }
        NDArray back = exchange.unsort() == null || exchange.unsort().length == 0 ? expertOutput
                : RowGather.rows(expertOutput, exchange.unsort()); // [Rn, d] by source rank
        NDArray returned = exchange(back, exchange.outputSplits(), exchange.inputSplits(),
                layerName + " combine", CommunicationClock.Kind.COMBINE); // [S, d] in send order
        if (exchange.training()) {
            recordStage(back, returned, exchange.outputSplits(), exchange.inputSplits(),
                    layerName + " combine backward", CommunicationClock.Kind.COMBINE);
        }
        return TokenPermutation.unpermute(returned, dispatched.combineIndex(), dispatched.weights(),
                dispatched.numTokens()); // [T, d]
    }

    /**
     * Sums rows of {@code width = E + 2} counts (assignments per expert, valid tokens) and takes the largest k. The
     * counts come from peers: sums are exact and no count is negative (else a ProtocolException naming the rank), and
     * k is within [0, E]; the splits derived from them are checked against the largest frame by the all-to-all.
     */
    private long[] totals(long[] rows, int n, int[] ranks, int numExperts, String what) {
        int width = numExperts + 2;
        long[] total = new long[width];
        long[] column = new long[n];
        FrameLimit limit = expertGroup.frameLimit();
        for (int c = 0; c <= numExperts; c++) {
            for (int q = 0; q < n; q++) {
                column[q] = rows[q * width + c];
            }
            total[c] = limit.sum(column, ranks, layerName + " " + what);
        }
        for (int q = 0; q < n; q++) {
            long k = rows[q * width + numExperts + 1];
            if (k < 0 || k > numExperts) {
                throw new TransportException("ProtocolException: rank " + ranks[q] + " announced top-k " + k
                        + " for " + numExperts + " experts in " + layerName + " " + what,
                        new ProtocolException("rank " + ranks[q] + " announced top-k " + k));
            }
            total[numExperts + 1] = Math.max(total[numExperts + 1], k);
        }
        return total;
    }

    /** The all-to-all of the expert-parallel group, rows staged through host memory when they are on a device. */
    private NDArray exchange(NDArray rows, long[] inputSplits, long[] outputSplits, String phase,
            CommunicationClock.Kind kind) {
        return staging.allToAll(rows, host -> expertGroup.allToAll(host, inputSplits, outputSplits, phase, kind));
    }

    /**
     * Makes {@code received} a leaf and records the backward of this exchange: its gradient travels back with the
     * splits swapped, then the backward continues from {@code sent}.
     */
    private void recordStage(NDArray sent, NDArray received, long[] inputSplits, long[] outputSplits, String phase,
            CommunicationClock.Kind kind) {
        StagedBackward tape = StagedBackward.current();
        received.setRequiresGradient(true);
        long columns = received.getShape().get(1);
        tape.add(new StagedBackward.Stage() {
            @Override
            public void backward() {
                PtNDArray gradient = received.getShape().get(0) == 0 ? null
                        : JniUtils.getGradient((PtNDArray) received);
                NDArray upstream = gradient != null ? gradient
                        : received.getManager().zeros(new Shape(received.getShape().get(0), columns));
                NDArray back = exchange(upstream, outputSplits, inputSplits, phase, kind);
                if (back.getShape().get(0) > 0) { // rows that left this rank came from the graph
                    JniUtils.backward((PtNDArray) sent, (PtNDArray) back, false, false);
                }
            }

            @Override
            public String toString() {
                return phase;
            }
        });
    }
}
