package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.data.job.LocalClusterSpark;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.parallel.FaultInjection;

/**
 * A rank's executor PROCESS dies mid-training, and the run ends on exactly the parameters (bit for bit) of an
 * uninterrupted 2-rank run on the same cluster and batches. Two ways to die, on one local-cluster (separate executor
 * JVMs):
 * <ul>
 *   <li>SIGKILL from outside between two checkpoints;
 *   <li>a halt (exit 137, as under SIGKILL) of rank 1 right after it wrote its part of the step-6 checkpoint, before
 *       the commit marker ({@link FaultInjection}): the half-written checkpoint must be ignored and rewritten.
 * </ul>
 * Either way the barrier stage fails, Spark retries it on a replacement executor, and every rank resumes from the last
 * committed checkpoint. (That the 2-rank run equals one process is ExpertParallelTrainingTest's and
 * ExpertParallelClusterTest's job.)
 */
class ExecutorKillTest {

    @Test
    @Timeout(1200)
    void killingAnExecutorChangesNothing() throws Exception {
        Path data = TinyDatasets.dataset(40);
        int steps = 8;
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, steps);
        ModelConfig model = ExpertParallelTrainingTest.model("omni");
        TrainConfig train = TinyDatasets.train("max_steps=" + steps, "warmup_steps=2", "eps=1.0e-6",
                "checkpoint.interval=3", "expert_parallel.timeout_seconds=60");
        Path tmp = Files.createTempDirectory("omnispark-ep-kill");
        Path reference = tmp.resolve("uninterrupted");
        Path killed = tmp.resolve("killed");
        Path halted = tmp.resolve("halted-in-checkpoint");
        Path arm = tmp.resolve("arm-halt");
        TrainSummary afterKill;
        TrainSummary afterHalt;
        long victim;
        try (LocalClusterSpark cluster = LocalClusterSpark.builder().optWorkers(2).optCoresPerWorker(1)
                .optMemoryPerWorkerMb(2048).optAppName("ep-kill-test")
                .optExecutorJavaOptions("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -D"
                        + FaultInjection.HALT_AFTER_CHECKPOINT_PART + "=6:1:" + arm).build()) {
            ExpertParallelTrainer.Builder b = ExpertParallelTrainer.builder().setSpark(cluster.spark()).setRanks(2)
                    .setModelConfig(model).setTrainConfig(train).setTrainData(data).optBatchSource(batches);
            b.setOutput(reference).build().run();
            CompletableFuture<Long> killer = CompletableFuture.supplyAsync(() -> killAfterStep(killed, 4));
            afterKill = b.setOutput(killed).optConsole(System.out).build().run();
            victim = killer.get(60, TimeUnit.SECONDS);

            Files.createFile(arm); // rank 1 halts after writing its part of ckpt-6
            afterHalt = b.setOutput(halted).build().run();
        }
        assertTrue(victim > 0, "an executor process was killed");
        assertFalse(Files.exists(arm), "the halt fired (it deletes its arm file)");
        for (TrainSummary run : List.of(afterKill, afterHalt)) {
            assertEquals(steps, run.finalStep());
        }
        assertTrue(afterKill.losses().size() < steps, "the last attempt resumed from a checkpoint, ran "
                + afterKill.losses().size() + " steps");
        assertEquals(steps - 3, afterHalt.losses().size(), "after the halt in ckpt-6 the retry resumed from ckpt-3");
        var expected = ExpertParallelTrainingTest.finalParameters(reference);
        // Resuming restores parameters, Adam moments, counters, data position and RNG counters exactly, and each
        // rank computes with one thread: an interrupted run must end on the uninterrupted run's bits.
        assertEquals(0, differing(expected, ExpertParallelTrainingTest.finalParameters(killed)),
                "values differing from the uninterrupted run after SIGKILL");
        assertEquals(0, differing(expected, ExpertParallelTrainingTest.finalParameters(halted)),
                "values differing from the uninterrupted run after a halt while checkpointing");
    }

    static int differing(Map<String, float[]> expected, Map<String, float[]> actual) {
        int differing = 0;
        for (var e : expected.entrySet()) {
            float[] a = actual.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                differing += Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e.getValue()[i]) ? 1 : 0;
            }
        }
        return differing;
    }

    /** Waits until rank 0 logged {@code step}, then SIGKILLs one executor JVM of this cluster; returns its pid. */
    static long killAfterStep(Path out, int step) {
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
