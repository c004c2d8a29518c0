package org.omnispark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

/**
 * The whole U2++ MoE model under bf16 autocast vs float32, same parameters and batch (no dropout, no SpecAugment):
 * the losses agree to bf16 precision, every gradient stays float32 and finite, and the flattened gradient points the
 * same way (cosine similarity), while the bf16 pass is measurably not the float32 one.
 */
class MixedPrecisionTest {

    @BeforeAll
    static void engine() {
        Engine.getEngine("PyTorch");
    }

    @Test
    void bf16LossAndGradientsTrackFloat32() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model model = U2Model.builder().setManager(m).setConfig(TinyDatasets.modelWithoutDropout("switch"))
                    .setVocabSize(12).optSeed(3).build();
            List<ModelParameter> parameters = model.parameters();
            Batch batch = new BatchCollator(80).collate(m, U2ModelTest.utterances(new int[] {64, 50, 57},
                    new int[] {4, 3, 5}, 9));
            double lossFp32 = lossAndGradients(model, batch, parameters, false);
            List<float[]> gradFp32 = gradients(parameters);
            ParameterCollector.zeroGradients(parameters);
            double lossBf16 = lossAndGradients(model, batch, parameters, true);
            List<float[]> gradBf16 = gradients(parameters);
            ParameterCollector.zeroGradients(parameters);

            assertNotEquals(lossFp32, lossBf16, "bf16 GEMMs must change the loss a little");
            assertEquals(lossFp32, lossBf16, 0.02 * Math.abs(lossFp32), "loss fp32 " + lossFp32 + " bf16 "
                    + lossBf16);
            double dot = 0;
            double normFp32 = 0;
            double normBf16 = 0;
            for (int p = 0; p < parameters.size(); p++) {
                assertEquals(DataType.FLOAT32, parameters.get(p).array().getDataType(), "master weights float32");
                float[] a = gradFp32.get(p);
                float[] b = gradBf16.get(p);
                for (int i = 0; i < a.length; i++) {
                    assertTrue(Float.isFinite(b[i]), parameters.get(p).name() + " bf16 gradient finite");
                    dot += (double) a[i] * b[i];
                    normFp32 += (double) a[i] * a[i];
                    normBf16 += (double) b[i] * b[i];
                }
            }
            double cosine = dot / Math.sqrt(normFp32 * normBf16);
            double normRatio = Math.sqrt(normBf16 / normFp32);
            System.out.printf("bf16 vs fp32: loss %.5f vs %.5f, gradient cosine %.5f, norm ratio %.4f%n", lossBf16,
                    lossFp32, cosine, normRatio);
            assertTrue(cosine > 0.99, "gradient cosine similarity bf16 vs fp32 = " + cosine);
            assertEquals(1.0, normRatio, 0.05, "gradient norm ratio bf16 / fp32");
        }
    }

    private static double lossAndGradients(U2Model model, Batch batch, List<ModelParameter> parameters,
            boolean bf16) {
        try (NDManager scope = batch.features().getManager().newSubManager()) {
            JniUtils.setGradMode(true);
            NDArray loss;
            try (Autocast ignored = bf16 ? Autocast.enable(DataType.BFLOAT16) : Autocast.disable()) {
                loss = model.forward(batch, false, 0).total();
            }
            loss.attach(scope);
            JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
            JniUtils.setGradMode(false);
            return loss.toType(DataType.FLOAT64, false).getDouble();
        } finally {
            JniUtils.setGradMode(false);
        }
    }

    private static List<float[]> gradients(List<ModelParameter> parameters) {
        List<float[]> list = new ArrayList<>();
        for (ModelParameter p : parameters) {
            try (NDArray g = p.array().getGradient()) {
                assertEquals(DataType.FLOAT32, g.getDataType(), p.name() + " gradient type");
                list.add(g.toFloatArray());
            }
        }
        return list;
    }
}
