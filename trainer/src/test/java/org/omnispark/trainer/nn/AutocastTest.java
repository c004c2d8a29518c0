package org.omnispark.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** bf16 autocast of GEMMs: what is rounded, what stays float32, gradients, scoping. */
class AutocastTest {

    @BeforeAll
    static void engine() {
        Engine.getEngine("PyTorch");
    }

    /** Rounds a float to bfloat16 (round to nearest even on the top 16 bits), as a float. */
    private static float bf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat((bits + rounding) & 0xFFFF0000);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void matMulRoundsBothOperandsAndTheProductToBf16AndReturnsFloat32() {
        int n = 5;
        int k = 64;
        int m = 7;
        float[] a = random(n * k, 1);
        float[] b = random(k * m, 2);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(a, new Shape(n, k));
            NDArray w = manager.create(b, new Shape(k, m));
            float[] full = x.matMul(w).toFloatArray();
            float[] low;
            try (Autocast ignored = Autocast.enable(DataType.BFLOAT16)) {
                NDArray y = Autocast.matMul(x, w);
                assertEquals(DataType.FLOAT32, y.getDataType(), "the product comes back as float32");
                low = y.toFloatArray();
            }
            double maxDiffFromFull = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    // reference: products of bf16-rounded operands summed in double, then rounded to bf16
                    double sum = 0;
                    double scale = 0;
                    for (int t = 0; t < k; t++) {
                        double p = (double) bf16(a[i * k + t]) * bf16(b[t * m + j]);
                        sum += p;
                        scale += Math.abs(p);
                    }
                    double got = low[i * m + j];
                    // bf16 output rounding: relative 2^-8 of |sum|; accumulation order: 2^-16 of sum |p|
                    double tolerance = Math.abs(sum) / 256 + scale / 65536;
                    assertEquals(sum, got, tolerance, "entry (" + i + ", " + j + ")");
                    assertEquals(got, bf16((float) got), 0, "the product was rounded to bf16 at (" + i + ", " + j
                            + ")");
                    maxDiffFromFull = Math.max(maxDiffFromFull, Math.abs(got - full[i * m + j]));
                }
            }
            assertTrue(maxDiffFromFull > 1e-4, "bf16 must differ from float32 somewhere, max diff " + maxDiffFromFull);
        }
    }

    @Test
    void gradientsReachFloat32ParametersAsFloat32() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(random(3 * 8, 3), new Shape(3, 8));
            NDArray w = manager.create(random(8 * 4, 4), new Shape(8, 4));
            w.setRequiresGradient(true);
            JniUtils.setGradMode(true);
            NDArray loss;
            try (Autocast ignored = Autocast.enable(DataType.BFLOAT16)) {
                loss = Autocast.matMul(x, w).sum();
            }
            JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
            JniUtils.setGradMode(false);
            NDArray g = w.getGradient();
            assertEquals(DataType.FLOAT32, g.getDataType(), "float32 master weights get float32 gradients");
            // d sum(x w) / d w[t, j] = sum_i x[i, t]: the bf16-rounded column sums of x, per row t
            float[] xs = x.toFloatArray();
            float[] grad = g.toFloatArray();
            for (int t = 0; t < 8; t++) {
                double expected = 0;
                for (int i = 0; i < 3; i++) {
                    expected += bf16(xs[i * 8 + t]);
                }
                for (int j = 0; j < 4; j++) {
                    assertEquals(expected, grad[t * 4 + j], Math.abs(expected) / 128 + 1e-6,
                            "d loss / d w[" + t + ", " + j + "]");
                }
            }
        }
    }

    @Test
    void float64AndDisabledScopesAreUntouchedAndScopesNestPerThread() throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(random(4 * 6, 5), new Shape(4, 6)).toType(DataType.FLOAT64, false);
            NDArray w = manager.create(random(6 * 2, 6), new Shape(6, 2)).toType(DataType.FLOAT64, false);
            double[] exact = x.matMul(w).toDoubleArray();
            assertNull(Autocast.computeType());
            try (Autocast outer = Autocast.enable(DataType.BFLOAT16)) {
                assertEquals(DataType.BFLOAT16, Autocast.computeType());
                double[] same = Autocast.matMul(x, w).toDoubleArray();
                for (int i = 0; i < exact.length; i++) {
                    assertEquals(exact[i], same[i], 0, "float64 operands are not cast");
                }
                AtomicReference<DataType> seenByOtherThread = new AtomicReference<>(DataType.UNKNOWN);
                Thread other = new Thread(() -> seenByOtherThread.set(Autocast.computeType()));
                other.start();
                other.join();
                assertNull(seenByOtherThread.get(), "autocast is per thread");
                try (Autocast inner = Autocast.disable()) {
                    assertNull(Autocast.computeType(), "disable() inside enable()");
                }
                assertEquals(DataType.BFLOAT16, Autocast.computeType(), "closing the inner scope restores bf16");
            }
            assertNull(Autocast.computeType(), "closing the outer scope restores off");
            assertThrows(IllegalArgumentException.class, () -> Autocast.enable(DataType.FLOAT16));
        }
    }
}
