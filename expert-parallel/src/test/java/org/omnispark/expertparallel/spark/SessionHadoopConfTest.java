package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Checkpoint I/O uses the Spark session's Hadoop configuration, on the driver and on every rank: a file system known
 * only through {@code spark.hadoop.*} (here the {@code flaky://} test file system, as S3A credentials or an HDFS HA
 * nameservice would be in a real cluster) must be reachable by the ranks' checkpoints. With {@code new
 * Configuration()} the ranks failed with "No FileSystem for scheme".
 */
class SessionHadoopConfTest {

    @Test
    @Timeout(600)
    void checkpointsReachAFileSystemConfiguredOnlyInTheSession() throws Exception {
        Path data = TinyDatasets.dataset(24);
        Path tmp = Files.createTempDirectory("omnispark-ep-conf");
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, 2);
        ModelConfig model = ExpertParallelTrainingTest.model("omni", "encoder_conf.ffn.top_k=1");
        String dir = "flaky://" + tmp.resolve("checkpoints");
        TrainConfig train = TinyDatasets.train("max_steps=2", "warmup_steps=2", "checkpoint.interval=1",
                "checkpoint.keep=2", "checkpoint.dir=" + dir);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ep-session-conf")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.hadoop.fs.flaky.impl", org.omnispark.data.job.FlakyFileSystem.class.getName())
                .config("spark.hadoop.fs.flaky.impl.disable.cache", "true").getOrCreate();
        TrainSummary summary;
        try {
            summary = ExpertParallelTrainer.builder().setSpark(spark).setRanks(2).setModelConfig(model)
                    .setTrainConfig(train).setTrainData(data).setOutput(tmp.resolve("ep")).optBatchSource(batches)
                    .build().run();
        } finally {
            spark.stop();
        }
        assertEquals(2, summary.finalStep());
        assertEquals(dir.replace("flaky://", "flaky:") + "/ckpt-2", summary.lastCheckpoint().toString());
        assertTrue(Files.exists(tmp.resolve("checkpoints/ckpt-2/checkpoint.json")));
        assertTrue(Files.exists(tmp.resolve("checkpoints/ckpt-2/part-1.bin")), "rank 1 wrote its part there too");
    }
}
