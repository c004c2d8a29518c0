package org.omnispark.expertparallel;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.parallel.ProcessGroup;

/**
 * A {@link ProcessGroup} whose tensors may live on any device: it stages them through host memory ({@link
 * HostStaging}) around the group it wraps, which carries CPU tensors only. The counts-only collectives (all-gathers
 * of longs and doubles) pass straight through. What {@link MeshParallelism} hands the trainer as the world and the
 * replica group, so {@code GradientSync}'s buckets may stay on the GPU.
 */
final class StagedProcessGroup implements ProcessGroup {

    private final ProcessGroup group;
    private final HostStaging staging;

    /**
     * @param group the group over host tensors
     * @param staging this rank's staging
     */
    StagedProcessGroup(ProcessGroup group, HostStaging staging) {
        this.group = group;
        this.staging = staging;
    }

    /** @return the group over host tensors */
    ProcessGroup unstaged() {
        return group;
    }

    @Override
    public int rank() {
        return group.rank();
    }

    @Override
    public int size() {
        return group.size();
    }

    @Override
    public long[] allGather(long[] local, String phase) {
        return group.allGather(local, phase);
    }

    @Override
    public double[] allGather(double[] local, String phase) {
        return group.allGather(local, phase);
    }

    @Override
    public double[] sumInRankOrder(double[] local, String phase) {
        return group.sumInRankOrder(local, phase);
    }

    @Override
    public void allReduceSum(NDArray values, String phase) {
        staging.allReduceSum(values, host -> group.allReduceSum(host, phase));
    }

    @Override
    public void allReduceSum(java.util.List<NDArray> buffers, java.util.List<String> phases) {
        staging.allReduceSum(buffers, (host, i) -> group.allReduceSum(host, phases.get(i)));
    }

    @Override
    public NDArray allToAll(NDArray rows, long[] inputSplits, long[] outputSplits, String phase) {
        return staging.allToAll(rows, host -> group.allToAll(host, inputSplits, outputSplits, phase));
    }

    @Override
    public String toString() {
        return group + " staged by " + staging;
    }
}
