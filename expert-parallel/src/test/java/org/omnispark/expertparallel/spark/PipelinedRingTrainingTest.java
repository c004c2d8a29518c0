package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * {@code expert_parallel.ring_piece_kb}: the gradient all-reduce streamed in 1 KiB pieces (hundreds of frames per
 * bucket) trains 2 ranks (a barrier stage on local[2], real sockets) to exactly the bits of the ring a step at a time:
 * the same losses and the same final parameters, element for element; the ranks' replicated parameters are compared
 * after every step ({@code checksum_interval = 1}).
 */
class PipelinedRingTrainingTest {

    private static final int STEPS = ExpertParallelTrainingTest.STEPS;

    private static TrainSummary train(Path data, ModelConfig model, FixedBatches batches, Path out, int pieceKb) {
        TrainConfig train = TinyDatasets.train("max_steps=" + STEPS, "warmup_steps=2", "eps=1.0e-6",
                "expert_parallel.checksum_interval=1", "checkpoint.interval=1000",
                "expert_parallel.ring_piece_kb=" + pieceKb);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ep-ring-pieces-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            return ExpertParallelTrainer.builder().setSpark(spark).setRanks(2).setModelConfig(model)
                    .setTrainConfig(train).setTrainData(data).setOutput(out).optBatchSource(batches)
                    .optConsole(System.out).build().run();
        } finally {
            spark.stop();
        }
    }

    @Test
    @Timeout(600)
    void ringPiecesTrainToTheBitsOfTheRingAStepAtATime() throws IOException {
        Path data = TinyDatasets.dataset(24);
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, STEPS);
        ModelConfig model = ExpertParallelTrainingTest.model("omni", "encoder_conf.ffn.top_k=1");
        Path tmp = Files.createTempDirectory("omnispark-ep-pieces");
        TrainSummary stepwise = train(data, model, batches, tmp.resolve("stepwise"), 0);
        TrainSummary pieces = train(data, model, batches, tmp.resolve("pieces"), 1);
        assertEquals(STEPS, pieces.finalStep());
        assertEquals(stepwise.losses(), pieces.losses(), "losses, step by step");
        Map<String, float[]> expected = ExpertParallelTrainingTest.finalParameters(tmp.resolve("stepwise"));
        Map<String, float[]> actual = ExpertParallelTrainingTest.finalParameters(tmp.resolve("pieces"));
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), actual.get(e.getKey()), e.getKey());
        }
    }
}
