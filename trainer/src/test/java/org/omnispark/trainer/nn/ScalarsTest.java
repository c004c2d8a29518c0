package org.omnispark.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Host scalars inside the autograd graph survive a garbage collection between forward and backward (DJL's own
 * {@code mul(Number)} / {@code div(Number)} free theirs right after the forward op; see {@link Scalars}).
 */
class ScalarsTest {

    @BeforeAll
    static void engine() {
        Engine.getEngine("PyTorch");
    }

    /** Collects garbage and refills freed native memory with NaN-filled direct buffers, as a long training step does. */
    static void churn() throws InterruptedException {
        System.gc();
        Thread.sleep(5);
        ByteBuffer[] buffers = new ByteBuffer[2000];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = ByteBuffer.allocateDirect(8);
            buffers[i].putDouble(0, Double.NaN);
        }
    }

    @Test
    void gradientThroughMulAndDivIsExactAfterGarbageCollection() throws InterruptedException {
        // y = x / sqrt(32) * 11.3137  =>  dy/dx = 11.3137 / sqrt(32) = 1.99999... for every element
        double expected = 11.3137 / Math.sqrt(32);
        for (int rep = 0; rep < 50; rep++) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray x = m.ones(new Shape(4));
                x.setRequiresGradient(true);
                JniUtils.setGradMode(true);
                NDArray loss = Scalars.mul(Scalars.div(x, Math.sqrt(32)), 11.3137).sum();
                churn();
                JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
                JniUtils.setGradMode(false);
                float[] g = x.getGradient().toFloatArray();
                for (float v : g) {
                    assertEquals(expected, v, 1e-6, "d(x / sqrt(32) * 11.3137)/dx after GC, repetition " + rep);
                }
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }
}
