package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.model.TinyDatasets;

/** Barrier mode refuses dynamic allocation: the trainer says so, and what to set, before submitting anything. */
class DynamicAllocationCheckTest {

    @Test
    void dynamicAllocationIsRefusedBeforeTheJob() {
        Path data = TinyDatasets.dataset(24);
        TrainRanksCommandTest.stopSessions(); // a fresh context: dynamic allocation is a start-up setting
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ep-dyn-alloc")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.dynamicAllocation.enabled", "true")
                .config("spark.shuffle.service.enabled", "false")
                .config("spark.dynamicAllocation.shuffleTracking.enabled", "true").getOrCreate();
        try {
            String message = assertThrows(IllegalStateException.class, () -> ExpertParallelTrainer.builder()
                    .setSpark(spark).setRanks(2).setModelConfig(ExpertParallelTrainingTest.model("omni"))
                    .setTrainConfig(TinyDatasets.train("max_steps=1")).setTrainData(data)
                    .setOutput(Path.of("unused")).build().run()).getMessage();
            assertTrue(spark.sparkContext().conf().getBoolean("spark.dynamicAllocation.enabled", false));
            assertTrue(message.contains("refuses dynamic allocation")
                    && message.contains("spark.dynamicAllocation.enabled=false"), message);
        } finally {
            spark.stop();
        }
    }
}
