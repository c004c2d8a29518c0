package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * {@code expert_parallel.wire_dtype: bfloat16}: 2 ranks (a barrier stage on local[2], real sockets) against the
 * single-process trainer on the same global batches, as {@link ExpertParallelTrainingTest} but at the looser
 * tolerance the wire costs (docs/expert-parallel.md, "bfloat16 on the wire"):
 *
 * <ul>
 *   <li>losses within 2^-8 relative (bf16's unit roundoff): every token row that travels, and the expert output that
 *       comes back, is rounded once each way; the loss averages many such values, so its relative change stays
 *       below one rounding;
 *   <li>parameters within 2 x (sum of the K learning rates) absolute: Adam's step per element is about lr whatever the
 *       gradient's size, so a gradient near zero whose sign the rounding flips moves the parameter by up to 2 lr per
 *       step; no tighter bound holds element by element;
 *   <li>and, since that bound alone would let a broken wire through, the parameters as a whole: their mean absolute
 *       difference at most 2^-8 times their mean absolute change over the run (the gradients' relative perturbation).
 * </ul>
 *
 * With {@code checksum_interval = 1} the ranks compare their replicated parameters (CRC32C) after every step and the
 * job fails on any difference: the bf16 all-reduce keeps them bit-identical through training.
 */
class Bfloat16WireTrainingTest {

    private static final int STEPS = ExpertParallelTrainingTest.STEPS;

    @Test
    @Timeout(600)
    void twoRanksOnABfloat16WireTrainLikeOneProcessWithinItsTolerance() throws IOException {
        Path data = TinyDatasets.dataset(24);
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, STEPS);
        ModelConfig model = ExpertParallelTrainingTest.model("omni", "encoder_conf.ffn.top_k=1");
        TrainConfig train = ExpertParallelTrainingTest.train("expert_parallel.wire_dtype=bfloat16");
        Path tmp = Files.createTempDirectory("omnispark-ep-bf16");
        TrainSummary single = ExpertParallelTrainingTest.single(data, model, train, batches, tmp.resolve("single"));
        TrainSummary distributed = ExpertParallelTrainingTest.distributed(2, data, model, train, batches,
                tmp.resolve("ep"));
        assertEquals(STEPS, distributed.finalStep());
        for (int i = 0; i < STEPS; i++) {
            double e = single.losses().get(i);
            double a = distributed.losses().get(i);
            System.out.printf("step %d loss: one process %.7f, bf16 wire %.7f (relative %.2e)%n", i + 1, e, a,
                    Math.abs(a - e) / Math.abs(e));
            assertEquals(e, a, 0x1p-8 * Math.abs(e), "loss of step " + (i + 1));
        }
        double lrSum = 0;
        for (int s = 1; s <= STEPS; s++) { // warmuplr with warmup_steps = 2
            lrSum += train.lr() * Math.sqrt(2) * Math.min(Math.pow(s, -0.5), s * Math.pow(2, -1.5));
        }
        Map<String, float[]> expected = ExpertParallelTrainingTest.finalParameters(tmp.resolve("single"));
        Map<String, float[]> actual = ExpertParallelTrainingTest.finalParameters(tmp.resolve("ep"));
        Map<String, float[]> initial = ExpertParallelTrainingTest.initialParameters(tmp.resolve("single"));
        assertEquals(expected.keySet(), actual.keySet());
        double worst = 0;
        String where = "";
        double difference = 0;
        double change = 0;
        long count = 0;
        for (Map.Entry<String, float[]> entry : expected.entrySet()) {
            float[] e = entry.getValue();
            float[] a = actual.get(entry.getKey());
            float[] before = initial.get(entry.getKey());
            for (int i = 0; i < e.length; i++) {
                double diff = Math.abs(e[i] - a[i]);
                difference += diff;
                change += Math.abs(e[i] - before[i]);
                count++;
                if (diff > worst) {
                    worst = diff;
                    where = entry.getKey() + "[" + i + "]";
                }
            }
        }
        System.out.printf("parameters: largest difference %.3g at %s (bound 2 x sum lr = %.3g); mean difference "
                + "%.3g, mean change %.3g, ratio %.3g (bound 2^-8 = %.3g)%n", worst, where, 2 * lrSum,
                difference / count, change / count, difference / change, 0x1p-8);
        assertTrue(worst <= 2 * lrSum, "largest parameter difference " + worst + " at " + where);
        assertTrue(difference <= 0x1p-8 * change, "mean parameter difference " + difference / count
                + " over 2^-8 of the mean change " + change / count);
        assertTrue(difference > 0, "the bf16 wire changed nothing: did the setting reach the mesh?");
    }
}
