package org.omnispark.expertparallel.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;

/**
 * The cores and GPU of one training rank, as a stage-level resource profile of the training barrier stage, so that
 * one cluster configuration serves both kinds of stage: {@code prepare}'s tasks run one thread each and take one core
 * ({@code spark.task.cpus}, default 1), while a rank runs libtorch on many threads and takes
 *
 * <ul>
 *   <li>{@code spark.omnispark.rank.cpus} cores when set, else {@code spark.executor.cores} divided by the ranks per
 *       executor (one per GPU on GPU executors, else one), else {@code spark.task.cpus};
 *   <li>and one GPU ({@code gpu}, amount 1) when training on GPUs.
 * </ul>
 *
 * <p>The profile has task requests only (a TaskResourceProfile): the executors stay those of the application's
 * default profile, which is what Spark supports without dynamic allocation (barrier stages refuse dynamic allocation)
 * on standalone, YARN and Kubernetes. A plain {@code local[N]} master supports no stage-level scheduling: there the
 * stage runs with the default profile, as before.
 *
 * @param cpusPerRank the cores a rank takes
 * @param gpuPerRank whether a rank takes a GPU
 * @param ranksPerExecutor ranks that fit on one executor at once (GPUs per executor on GPU executors)
 * @param useProfile whether the stage gets its own profile (a cluster master, and something differs from the default)
 */
record TrainingResources(int cpusPerRank, boolean gpuPerRank, int ranksPerExecutor, boolean useProfile) {

    /** Cores per rank, when the executor's cores divided by its ranks is not what is wanted. */
    static final String RANK_CPUS = "spark.omnispark.rank.cpus";
    static final String EXECUTOR_GPUS = "spark.executor.resource.gpu.amount";

    /**
     * @param conf the application's Spark configuration
     * @param gpu whether the ranks train on GPUs (train.device: gpu)
     * @return the resources of one rank
     * @throws IllegalStateException for GPU training on executors without GPUs, or more cores per rank than an
     *     executor has
     */
    static TrainingResources of(SparkConf conf, boolean gpu) {
        String master = conf.get("spark.master", "local[*]");
        boolean plainLocal = master.startsWith("local") && !master.startsWith("local-cluster");
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        int executorGpus = (int) conf.getDouble(EXECUTOR_GPUS, 0);
        if (gpu && !plainLocal && executorGpus < 1) {
            throw new IllegalStateException("train.device is gpu, but the executors have no GPUs: set "
                    + "OMNISPARK_GPUS_PER_EXECUTOR=N (submit/omnispark) or " + EXECUTOR_GPUS + " with a discovery "
                    + "script (docs/operations.md, 'GPUs')");
        }
        int perExecutor = gpu && executorGpus > 0 ? executorGpus : 1;
        Integer executorCores = conf.contains("spark.executor.cores") ? conf.getInt("spark.executor.cores", 1) : null;
        int cpus;
        if (conf.contains(RANK_CPUS)) {
            cpus = conf.getInt(RANK_CPUS, 1);
            if (cpus < 1) {
                throw new IllegalStateException(RANK_CPUS + " must be at least 1, got " + cpus);
            }
        } else if (executorCores != null) {
            if (executorCores < perExecutor) {
                throw new IllegalStateException(perExecutor + " GPUs per executor run " + perExecutor + " ranks, one "
                        + "core each at least, but spark.executor.cores is " + executorCores + ": raise it");
            }
            cpus = executorCores / perExecutor;
        } else {
            cpus = taskCpus;
        }
        if (executorCores != null && cpus > executorCores) {
            throw new IllegalStateException(RANK_CPUS + "=" + cpus + " is more than an executor's cores "
                    + "(spark.executor.cores=" + executorCores + "): no executor could run a rank");
        }
        if (!gpu && executorCores != null) {
            perExecutor = Math.max(1, executorCores / cpus);
        }
        return new TrainingResources(cpus, gpu, perExecutor, !plainLocal && (cpus != taskCpus || gpu));
    }

    /** @return the training stage's profile: {@link #cpusPerRank} cores and, on GPUs, one GPU per task */
    ResourceProfile profile() {
        TaskResourceRequests task = new TaskResourceRequests().cpus(cpusPerRank);
        if (gpuPerRank) {
            task.resource("gpu", 1.0);
        }
        return new ResourceProfileBuilder().require(task).build();
    }

    @Override
    public String toString() {
        return cpusPerRank + " core" + (cpusPerRank == 1 ? "" : "s") + (gpuPerRank ? " and 1 GPU" : "") + " per rank";
    }
}
