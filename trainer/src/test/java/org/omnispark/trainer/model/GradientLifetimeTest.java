package org.omnispark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

/**
 * Every tensor the backward pass needs outlives a garbage collection between forward and backward: the gradients of
 * the whole U2++ MoE model (encoder with MoE, CTC, both attention decoders, aux and z losses) are bitwise the same with
 * and without a GC plus NaN-filled native allocations in between. This caught DJL's {@code mul(Number)} /
 * {@code div(Number)} freeing the scalar that MulBackward / DivBackward read (NaN gradient norms in ~1% of steps).
 */
class GradientLifetimeTest {

    @BeforeAll
    static void engine() {
        Engine.getEngine("PyTorch");
    }

    @Test
    void gradientsAreTheSameWithAGarbageCollectionBeforeBackward() throws InterruptedException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model model = U2Model.builder().setManager(m)
                    .setConfig(TinyDatasets.modelWithoutDropout("switch", "encoder_conf.ffn.z_loss_coeff=0.001"))
                    .setVocabSize(12).optSeed(4).build();
            List<ModelParameter> parameters = model.parameters();
            Batch batch = new BatchCollator(80).collate(m, U2ModelTest.utterances(new int[] {64, 50, 57},
                    new int[] {4, 3, 5}, 9));
            List<float[]> plain = gradients(model, batch, parameters, false);
            for (int rep = 0; rep < 3; rep++) {
                List<float[]> collected = gradients(model, batch, parameters, true);
                for (int p = 0; p < parameters.size(); p++) {
                    for (float v : collected.get(p)) {
                        assertTrue(Float.isFinite(v), parameters.get(p).name() + ": non-finite gradient after GC");
                    }
                    assertArrayEquals(plain.get(p), collected.get(p), 0f,
                            parameters.get(p).name() + ": gradient changed by a GC between forward and backward");
                }
            }
        }
    }

    private static List<float[]> gradients(U2Model model, Batch batch, List<ModelParameter> parameters, boolean gc)
            throws InterruptedException {
        try (NDManager scope = batch.features().getManager().newSubManager()) {
            JniUtils.setGradMode(true);
            NDArray loss = model.forward(batch, false, 0).total();
            loss.attach(scope);
            if (gc) {
                System.gc();
                Thread.sleep(20);
                ByteBuffer[] buffers = new ByteBuffer[4000];
                for (int i = 0; i < buffers.length; i++) {
                    buffers[i] = ByteBuffer.allocateDirect(8);
                    buffers[i].putDouble(0, Double.NaN);
                }
            }
            JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
        } finally {
            JniUtils.setGradMode(false);
        }
        List<float[]> list = new ArrayList<>();
        for (ModelParameter p : parameters) {
            try (NDArray g = p.array().getGradient()) {
                list.add(g.toFloatArray());
            }
        }
        ParameterCollector.zeroGradients(parameters);
        return list;
    }
}
