package org.omnispark.expertparallel;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.parallel.ProcessGroup;

/**
 * The world of a grid of process groups, with no connection between ranks that share no group: N = P x D ranks, rank
 * {@code r = g P + i} sits at position i of expert-parallel group g (P consecutive ranks) and at position g of
 * replica group i (the D ranks {@code i, i + P, i + 2P, ...}). Each world collective runs as one collective in this
 * rank's expert-parallel group, then one in its replica group, so a rank talks to P - 1 + D - 1 peers, never N - 1.
 *
 * <ul>
 *   <li>{@link #allGather}: the expert-parallel group's block (P ranks in world order), then the replica group's
 *       gather of those blocks (groups in order): every rank's values in world order.
 *   <li>{@link #allReduceSum}: hierarchical: a ring reduce-scatter in the expert-parallel group leaves each member
 *       one complete chunk of its group's sum (1/P of the buffer); the ranks holding the same chunk (the replica
 *       group) all-reduce it; the ring all-gather in the expert-parallel group passes the final chunks on. A rank
 *       sends 2(P-1)/P + 2(D-1)/(DP) of the buffer. Each chunk is all-reduced by exactly one replica group (the
 *       ranks at the position that completed it), whose ring gives its members the same bits, and then only
 *       copied: every rank of the world ends with the same bits (on a bfloat16 wire too: the owner of a chunk
 *       rounds it to bfloat16 after the replica group's sum and before the all-gather, {@link RingAllReduce}).
 *   <li>{@link #allToAll}: refused: tokens travel inside an expert-parallel group ({@link AllToAllTokenDispatcher}).
 * </ul>
 */
final class GridProcessGroup implements ProcessGroup {

    private final MeshProcessGroup expertGroup;
    private final MeshProcessGroup replicas;

    /**
     * @param expertGroup this rank's expert-parallel group: P consecutive world ranks
     * @param replicas this rank's replica group: the ranks at its position of every expert-parallel group
     */
    GridProcessGroup(MeshProcessGroup expertGroup, MeshProcessGroup replicas) {
        int p = expertGroup.size();
        int[] group = expertGroup.members();
        int[] column = replicas.members();
        for (int i = 0; i < p; i++) {
            if (group[i] != group[0] + i || group[0] % p != 0) {
                throw new IllegalArgumentException("an expert-parallel group must be P consecutive ranks starting at a "
                        + "multiple of P, got " + expertGroup);
            }
        }
        for (int g = 0; g < column.length; g++) {
            if (column[g] != g * p + expertGroup.rank()) {
                throw new IllegalArgumentException("the replica group of " + expertGroup + " must hold the ranks at "
                        + "position " + expertGroup.rank() + " of every group, got " + replicas);
            }
        }
        this.expertGroup = expertGroup;
        this.replicas = replicas;
    }

    @Override
    public int rank() {
        return replicas.rank() * expertGroup.size() + expertGroup.rank();
    }

    @Override
    public int size() {
        return expertGroup.size() * replicas.size();
    }

    @Override
    public long[] allGather(long[] local, String phase) {
        long[] group = expertGroup.allGather(local, phase + " (world, expert-parallel part)");
        return replicas.allGather(group, phase + " (world, replica part)");
    }

    @Override
    public void allReduceSum(NDArray values, String phase) {
        expertGroup.allReduceSum(values, phase + " (world, expert-parallel part)",
                chunk -> replicas.allReduceSum(chunk, phase + " (world, replica part)"));
    }

    @Override
    public NDArray allToAll(NDArray rows, long[] inputSplits, long[] outputSplits, String phase) {
        throw new UnsupportedOperationException(phase + ": no all-to-all over the whole world of " + size()
                + " ranks: ranks are connected only to their expert-parallel and replica groups; tokens travel inside "
                + "an expert-parallel group");
    }

    @Override
    public String toString() {
        return "GridProcessGroup{world of " + size() + " = " + expertGroup + " x " + replicas + "}";
    }
}
