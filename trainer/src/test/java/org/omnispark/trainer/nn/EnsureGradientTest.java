package org.omnispark.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A parameter that no backward pass reached (an expert that got no token on this rank) has no gradient: DJL's
 * {@code getGradient()} then returns a detached zero tensor, and an in-place write to it (an all-reduce among the
 * expert's replicas) is lost. {@link ModelParameter#ensureGradient} makes the write land in the parameter.
 */
class EnsureGradientTest {

    @BeforeAll
    static void engine() {
        Engine.getEngine("PyTorch");
    }

    @Test
    void aWriteToTheGradientOfAnUnreachedParameterLandsInIt() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            ModelParameter lost = new ModelParameter("lost", m.zeros(new Shape(3)), true);
            lost.gradient().addi(m.create(new float[] {1, 2, 3})); // the detached tensor of an unreached parameter
            assertArrayEquals(new float[] {0, 0, 0}, lost.gradient().toFloatArray(), "the write is lost without it");

            ModelParameter kept = new ModelParameter("kept", m.zeros(new Shape(3)), true);
            kept.ensureGradient();
            assertArrayEquals(new float[] {0, 0, 0}, kept.gradient().toFloatArray());
            kept.gradient().addi(m.create(new float[] {1, 2, 3}));
            assertArrayEquals(new float[] {1, 2, 3}, kept.gradient().toFloatArray(), "the write lands in the parameter");
            kept.ensureGradient(); // an existing gradient is left as it is
            assertArrayEquals(new float[] {1, 2, 3}, kept.gradient().toFloatArray());
            kept.zeroGradient();
            assertArrayEquals(new float[] {0, 0, 0}, kept.gradient().toFloatArray());
        }
    }
}
