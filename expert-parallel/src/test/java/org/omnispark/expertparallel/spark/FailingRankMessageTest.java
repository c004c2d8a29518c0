package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * A rank that fails on its own (here: its shard holds garbage) must have its error in the message the user gets, not
 * only Spark's "barrier task ... finished unsuccessfully" and the other rank's "the peer closed the connection".
 * YarnClusterIT found it: in cluster deploy mode YARN's diagnostics named neither the rank nor the shard.
 */
class FailingRankMessageTest {

    @Test
    @Timeout(300)
    void theFirstRanksOwnErrorIsInTheFailure(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path source = TinyDatasets.dataset(24, 2);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.toList()) {
                Path to = data.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Path shard;
        try (Stream<Path> shards = Files.list(data.resolve("shards"))) {
            shard = shards.filter(f -> f.toString().endsWith(".parquet")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        byte[] garbage = new byte[(int) Files.size(shard)];
        new java.util.Random(3).nextBytes(garbage);
        Files.write(shard, garbage);

        SparkSession spark = SparkSession.builder().master("local[2]").appName("failing-rank")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ExpertParallelTrainer.builder()
                    .setSpark(spark).setRanks(2).setModelConfig(ExpertParallelTrainingTest.model("omni"))
                    .setTrainConfig(TinyDatasets.train("max_steps=2", "expert_parallel.max_attempts=1"))
                    .setTrainData(data).setOutput(tmp.resolve("out")).build().run());
            String message = e.getMessage();
            System.out.println("the failure: " + message);
            assertTrue(message.contains("the cause, rank ") && message.contains("cannot read shard")
                    && message.contains(shard.getFileName().toString()), message);
            assertTrue(!message.substring(message.indexOf("the cause")).contains("closed the connection"),
                    "the cause is the rank that failed first, not the one whose peer died: " + message);
        } finally {
            spark.stop();
        }
    }
}
