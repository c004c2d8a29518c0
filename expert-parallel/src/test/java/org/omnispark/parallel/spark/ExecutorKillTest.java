package org.omnispark.parallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.data.job.LocalClusterSpark;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * A rank's executor PROCESS is killed with SIGKILL mid-training (between two checkpoints): the barrier stage fails,
 * Spark retries it on a replacement executor, every rank resumes from the last committed checkpoint, and the run ends
 * on exactly the parameters (bit for bit) of an uninterrupted 2-rank run on the same cluster and batches. (That the
 * 2-rank run equals one process is ExpertParallelTrainingTest's and ExpertParallelClusterTest's job.)
 */
class ExecutorKillTest {

    @Test
    @Timeout(900)
    void killingAnExecutorChangesNothing() throws Exception {
        Path data = TinyDatasets.dataset(40);
        int steps = 8;
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, steps);
        ModelConfig model = ExpertParallelTrainingTest.model("omni");
        TrainConfig train = TinyDatasets.train("max_steps=" + steps, "warmup_steps=2", "eps=1.0e-6",
                "checkpoint.interval=3", "expert_parallel.timeout_seconds=60");
        Path tmp = Files.createTempDirectory("omnispark-ep-kill");
        Path reference = tmp.resolve("uninterrupted");
        Path out = tmp.resolve("killed");
        TrainSummary distributed;
        long killed;
        try (LocalClusterSpark cluster = LocalClusterSpark.builder().optWorkers(2).optCoresPerWorker(1)
                .optMemoryPerWorkerMb(2048).optAppName("ep-kill-test")
                .optExecutorJavaOptions("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").build()) {
            ExpertParallelTrainer.Builder b = ExpertParallelTrainer.builder().setSpark(cluster.spark()).setRanks(2)
                    .setModelConfig(model).setTrainConfig(train).setTrainData(data).optBatchSource(batches);
            b.setOutput(reference).build().run();
            CompletableFuture<Long> killer = CompletableFuture.supplyAsync(() -> killAfterStep(out, 4));
            distributed = b.setOutput(out).optConsole(System.out).build().run();
            killed = killer.get(60, TimeUnit.SECONDS);
        }
        assertTrue(killed > 0, "an executor process was killed");
        assertEquals(steps, distributed.finalStep());
        assertTrue(distributed.losses().size() < steps, "the last attempt resumed from a checkpoint, ran "
                + distributed.losses().size() + " steps");
        var expected = ExpertParallelTrainingTest.finalParameters(reference);
        var actual = ExpertParallelTrainingTest.finalParameters(out);
        int differing = 0;
        for (var e : expected.entrySet()) {
            float[] a = actual.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                differing += Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e.getValue()[i]) ? 1 : 0;
            }
        }
        // Resuming restores parameters, Adam moments, counters, data position and RNG counters exactly, and each
        // rank computes with one thread: the killed run must end on the uninterrupted run's bits.
        assertEquals(0, differing, "parameter values differing from the uninterrupted 2-rank run");
    }

    /** Waits until rank 0 logged {@code step}, then SIGKILLs one executor JVM of this cluster; returns its pid. */
    private static long killAfterStep(Path out, int step) {
        Path metrics = out.resolve("metrics.jsonl");
        long deadline = System.currentTimeMillis() + 600_000;
        try {
            while (System.currentTimeMillis() < deadline) {
                if (Files.exists(metrics) && Files.readAllLines(metrics).stream()
                        .anyMatch(l -> l.startsWith("{\"step\":" + step + ","))) {
                    // local-cluster's Workers live in this JVM: the executors are its child processes
                    List<ProcessHandle> executors = ProcessHandle.current().descendants()
                            .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")
                                    || p.info().command().orElse("").endsWith("java"))
                            .toList();
                    if (executors.isEmpty()) {
                        throw new IllegalStateException("no executor process found among this JVM's children");
                    }
                    ProcessHandle victim = executors.get(executors.size() - 1);
                    victim.destroyForcibly();
                    System.out.println("killed executor process " + victim.pid() + " after step " + step);
                    return victim.pid();
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return -1;
    }
}
