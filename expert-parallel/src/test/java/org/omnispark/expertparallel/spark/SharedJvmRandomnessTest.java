package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * Ranks that share a JVM (local[N]) draw their dropout masks and router jitter as ranks in JVMs of their own do: from
 * their own seeded stream, whatever the other rank's thread draws meanwhile. libtorch's generator is one per process;
 * two ranks that seed it and draw from it at once interleave, so the same command trained differently from run to run
 * (YarnClusterIT found it: the first step's loss of {@code train --ranks 2} on local[2] differed from the same run on
 * YARN by 1.4e-3, before any update). Two local[2] runs with dropout and jitter on must agree bit for bit.
 */
class SharedJvmRandomnessTest {

    @Test
    @Timeout(600)
    void twoRunsOfTwoRanksInOneJvmWithDropoutAndJitterAreIdentical() throws Exception {
        Path data = TinyDatasets.dataset(24);
        // dropout 0.1 everywhere and gate jitter: every micro-batch draws from the generator many times
        ModelConfig model = TinyDatasets.model("omni", "encoder_conf.ffn.jitter_eps=0.1",
                "encoder_conf.use_dynamic_chunk=false", "spec_aug.num_t_mask=0", "spec_aug.num_f_mask=0");
        TrainConfig train = TinyDatasets.train("max_steps=3", "warmup_steps=1", "lr=0.01",
                "checkpoint.interval=1000");
        FixedBatches batches = new FixedBatches(data, new int[] {3, 3}, 3);
        Path tmp = Files.createTempDirectory("omnispark-shared-jvm-rng");
        SparkSession spark = SparkSession.builder().master("local[2]").appName("shared-jvm-rng")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        TrainSummary a;
        TrainSummary b;
        try {
            ExpertParallelTrainer.Builder builder = ExpertParallelTrainer.builder().setSpark(spark).setRanks(2)
                    .setModelConfig(model).setTrainConfig(train).setTrainData(data).optBatchSource(batches);
            a = builder.setOutput(tmp.resolve("a")).build().run();
            b = builder.setOutput(tmp.resolve("b")).build().run();
        } finally {
            spark.stop();
        }
        List<Double> la = a.losses();
        List<Double> lb = b.losses();
        System.out.println("two local[2] runs, losses " + la + " and " + lb);
        assertEquals(la, lb, "the same command, the same seed: the same losses");
        Map<String, float[]> pa = ExpertParallelTrainingTest.finalParameters(tmp.resolve("a"));
        Map<String, float[]> pb = ExpertParallelTrainingTest.finalParameters(tmp.resolve("b"));
        assertEquals(0, ExecutorKillTest.differing(pa, pb), "values differing between two identical runs");
    }
}
