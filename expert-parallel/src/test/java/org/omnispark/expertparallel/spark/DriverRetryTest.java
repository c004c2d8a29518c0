package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The driver's own retries ({@code expert_parallel.max_attempts}, {@code retry_backoff_seconds}) on top of Spark's
 * stage retries, here switched off ({@code spark.stage.maxConsecutiveAttempts=1}) so that a failed rank fails the
 * whole job: the driver waits the backoff and runs the job again from the newest committed checkpoint; with one
 * attempt allowed, the failure reaches the caller.
 */
class DriverRetryTest {

    @Test
    @Timeout(600)
    void theDriverRerunsAFailedJobFromTheNewestCheckpointAfterTheBackoff() throws Exception {
        Path data = TinyDatasets.dataset(24);
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, 4);
        ModelConfig model = ExpertParallelTrainingTest.model("omni");
        Path tmp = Files.createTempDirectory("omnispark-ep-driver-retry");
        Path arm = Files.createFile(tmp.resolve("arm"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ep-driver-retry-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.stage.maxConsecutiveAttempts", "1")
                .getOrCreate();
        try {
            TrainConfig once = TinyDatasets.train("max_steps=4", "checkpoint.interval=2",
                    "expert_parallel.max_attempts=1");
            Exception failed = assertThrows(Exception.class, () -> ExpertParallelTrainer.builder().setSpark(spark)
                    .setRanks(2).setModelConfig(model).setTrainConfig(once).setTrainData(data)
                    .setOutput(tmp.resolve("once")).optBatchSource(new FailingOnce(batches, 1, 3, arm)).build().run());
            // Spark reports whichever rank's failure reaches it first: rank 1's own exception, or rank 0's
            // "failed receiving from rank 1" that it caused.
            String message = String.valueOf(failed.getMessage());
            assertTrue(message.contains("expert_parallel.max_attempts") && message.contains("rank 1"), message);

            Files.createFile(arm);
            TrainConfig twice = TinyDatasets.train("max_steps=4", "checkpoint.interval=2",
                    "expert_parallel.max_attempts=2", "expert_parallel.retry_backoff_seconds=0.5");
            TrainSummary retried = ExpertParallelTrainer.builder().setSpark(spark).setRanks(2).setModelConfig(model)
                    .setTrainConfig(twice).setTrainData(data).setOutput(tmp.resolve("twice"))
                    .optBatchSource(new FailingOnce(batches, 1, 3, arm))
                    .optConsole(new PrintStream(console, true, StandardCharsets.UTF_8)).build().run();
            assertEquals(4, retried.finalStep());
            assertEquals(2, retried.losses().size(), "the second run resumed at ckpt-2 and ran steps 3-4");
        } finally {
            spark.stop();
        }
        assertFalse(Files.exists(arm));
        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("training run 1 of 2 failed") && log.contains("retrying in 0.5 s from ckpt-2"), log);
    }
}
