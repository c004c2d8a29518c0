package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.trainer.config.ModelConfig;
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
        return ExpertParallelTrainingTest.distributed(2, data, model,
                ExpertParallelTrainingTest.train("expert_parallel.ring_piece_kb=" + pieceKb), batches, out);
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
