package org.omnispark.trainer.infra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.nn.ModelParameter;

/** Global-norm clipping, gradient scaling and accumulation with hand-computed gradients. */
class GradientClippingTest {

    /** loss = sum(w1 * c1) + sum(w2 * c2), so grad(w1) = c1 and grad(w2) = c2. */
    private static List<ModelParameter> withGradients(NDManager manager, float[] c1, float[] c2) {
        ModelParameter w1 = new ModelParameter("w1", manager.zeros(new Shape(2)), false);
        ModelParameter w2 = new ModelParameter("w2", manager.zeros(new Shape(1)), false);
        try (NDManager scope = manager.newSubManager()) {
            NDArray loss = w1.array().mul(scope.create(c1)).sum().add(w2.array().mul(scope.create(c2)).sum());
            TrainTestSupport.backward(loss);
        }
        return List.of(w1, w2);
    }

    private static float[] grad(ModelParameter p) {
        try (NDArray g = p.gradient()) {
            return g.toFloatArray();
        }
    }

    @Test
    void clipsToMaxNormAndReportsTheNormBefore() {
        try (NDManager manager = TrainTestSupport.newManager()) {
            // grads [3, 4] and [12]: norm = sqrt(9 + 16 + 144) = 13
            List<ModelParameter> params = withGradients(manager, new float[] {3, 4}, new float[] {12});
            assertEquals(13.0, GradientClipping.globalNorm(params), 1e-12);
            double norm = GradientClipping.clipGlobalNorm(params, 6.5);
            assertEquals(13.0, norm, 1e-12, "returns the norm before clipping");
            // coefficient = 6.5 / (13 + 1e-6) ~= 0.5 -> [1.5, 2], [6]
            assertArrayEquals(new float[] {1.5f, 2f}, grad(params.get(0)), 1e-6f);
            assertArrayEquals(new float[] {6f}, grad(params.get(1)), 1e-6f);
            assertEquals(6.5, GradientClipping.globalNorm(params), 1e-5, "norm after clipping is maxNorm");
        }
    }

    @Test
    void leavesSmallGradientsAlone() {
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = withGradients(manager, new float[] {3, 4}, new float[] {12});
            assertEquals(13.0, GradientClipping.clipGlobalNorm(params, 20.0), 1e-12);
            assertArrayEquals(new float[] {3f, 4f}, grad(params.get(0)), 0f, "13 < 20: unchanged");
        }
    }

    @Test
    void nonFiniteNormLeavesGradientsForTheCallerToSkip() {
        try (NDManager manager = TrainTestSupport.newManager()) {
            List<ModelParameter> params = withGradients(manager, new float[] {3, Float.NaN}, new float[] {12});
            double norm = GradientClipping.clipGlobalNorm(params, 1.0);
            assertFalse(GradientClipping.isFinite(norm), "NaN gradient gives a non-finite norm, got " + norm);
            assertArrayEquals(new float[] {12f}, grad(params.get(1)), 0f, "not scaled");
            assertTrue(GradientClipping.isFinite(13.0));
        }
    }

    @Test
    void accumulatedScaledMicroBatchesEqualTheFullBatchGradient() {
        // loss(batch) = mean over rows of (x_r . w)^2 ; two micro-batches of 2 rows each, scaled by 1/2 and summed,
        // give the gradient of the mean over all 4 rows: (2/4) * sum_r (x_r . w) x_r
        float[][] rows = {{1, 2}, {0, 1}, {3, -1}, {2, 2}};
        float[] w0 = {0.5f, -0.25f};
        try (NDManager manager = TrainTestSupport.newManager()) {
            ModelParameter w = new ModelParameter("w", manager.create(w0, new Shape(2, 1)), false);
            GradientAccumulator accumulator = new GradientAccumulator(2);
            boolean[] boundaries = new boolean[2];
            for (int micro = 0; micro < 2; micro++) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(new float[][] {rows[2 * micro], rows[2 * micro + 1]}); // [2, 2]
                    NDArray loss = x.matMul(w.array()).square().mean();
                    TrainTestSupport.backward(accumulator.scaleLoss(loss));
                }
                boundaries[micro] = accumulator.microBatchDone();
            }
            assertArrayEquals(new boolean[] {false, true}, boundaries, "update after the 2nd micro-batch");
            assertEquals(0, accumulator.pending());
            // hand: x.w = [0, -0.25, 1.75, 0.5]; grad = 0.5 * sum_r (x.w)_r x_r
            //   = 0.5 * ([0,0] + [0,-0.25] + [5.25,-1.75] + [1,1]) = [3.125, -0.5]
            assertArrayEquals(new float[] {3.125f, -0.5f}, grad(w), 1e-6f);
        }
    }
}
