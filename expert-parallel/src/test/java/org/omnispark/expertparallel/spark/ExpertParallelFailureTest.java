package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The barrier stage on local[2]: a rank that fails mid-training makes Spark retry the stage (it ends in a shuffle),
 * the retry resumes from the newest checkpoint and ends where an uninterrupted single-process run ends; and what
 * would fail inside the job fails before it with a message that says what to change.
 */
@Timeout(300)
class ExpertParallelFailureTest {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        TinyDatasets.dataset(24); // first: it prepares the data on a SparkSession of its own and stops it
        spark = SparkSession.builder().master("local[2]").appName("ep-failure-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void aRankFailingMidTrainingIsRetriedFromTheLastCheckpoint() throws Exception {
        Path data = TinyDatasets.dataset(24);
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, 4);
        ModelConfig model = ExpertParallelTrainingTest.model("omni");
        TrainConfig train = TinyDatasets.train("max_steps=4", "warmup_steps=2", "eps=1.0e-6",
                "checkpoint.interval=2");
        Path tmp = Files.createTempDirectory("omnispark-ep-retry");
        TrainSummary single = ExpertParallelTrainingTest.single(data, model, train, batches, tmp.resolve("single"));
        TrainSummary retried = ExpertParallelTrainer.builder().setSpark(spark).setRanks(2).setModelConfig(model)
                .setTrainConfig(train).setTrainData(data).setOutput(tmp.resolve("ep"))
                .optBatchSource(new FailingOnce(batches, 1, 3)).build().run(); // rank 1 dies in step 3
        assertEquals(4, retried.finalStep());
        assertEquals(2, retried.losses().size(), "the retry resumed at step 2 (its checkpoint) and ran steps 3-4");
        var expected = ExpertParallelTrainingTest.finalParameters(tmp.resolve("single"));
        var actual = ExpertParallelTrainingTest.finalParameters(tmp.resolve("ep"));
        double worst = 0;
        for (var e : expected.entrySet()) {
            float[] a = actual.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - e.getValue()[i]));
            }
        }
        assertTrue(worst <= 2e-5, "the retried run ends " + worst + " away from the uninterrupted one");
    }

    @Test
    void whatWouldFailInsideTheJobFailsBefore() {
        Path data = TinyDatasets.dataset(24);
        TrainConfig train = TinyDatasets.train("max_steps=1");
        ExpertParallelTrainer.Builder b = ExpertParallelTrainer.builder().setSpark(spark).setTrainConfig(train)
                .setTrainData(data).setOutput(Path.of("unused"));
        String dense = assertThrows(IllegalArgumentException.class,
                () -> b.setRanks(2).setModelConfig(TinyDatasets.model("dense")).build().run()).getMessage();
        assertTrue(dense.contains("needs an MoE model"), dense);
        String uneven = assertThrows(IllegalArgumentException.class,
                () -> b.setRanks(3).setModelConfig(ExpertParallelTrainingTest.model("omni")).build().run())
                .getMessage();
        assertTrue(uneven.contains("4 experts cannot be split evenly over 3 ranks") && uneven.contains("1, 2, 4"),
                uneven);
        String notMultiple = assertThrows(IllegalArgumentException.class,
                () -> b.setRanks(6).setModelConfig(ExpertParallelTrainingTest.model("omni")).build().run())
                .getMessage();
        assertTrue(notMultiple.contains("must be a multiple of the number of experts"), notMultiple);
        String slots = assertThrows(IllegalStateException.class,
                () -> b.setRanks(4).setModelConfig(ExpertParallelTrainingTest.model("omni")).build().run())
                .getMessage();
        assertTrue(slots.contains("4 ranks need 4 free task slots") && slots.contains("local[4]"), slots);
        String shards = assertThrows(IllegalArgumentException.class,
                () -> b.setRanks(2).setModelConfig(ExpertParallelTrainingTest.model("omni")).build().run())
                .getMessage();
        assertTrue(shards.contains("has 1 shards for 2 ranks") && shards.contains("output.num_shards"), shards);
    }
}
