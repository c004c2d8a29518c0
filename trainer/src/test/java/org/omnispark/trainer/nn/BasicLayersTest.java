package org.omnispark.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Hand-computed values of the basic layers. */
class BasicLayersTest {

    static {
        Engine.getEngine("PyTorch");
    }

    private static double[] values(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    @Test
    void linearIsInputMajor() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Linear linear = Linear.create(m, "fc", 2, 3, true, DataType.FLOAT64, 1);
            linear.weight().setValue(m.create(new double[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)));
            linear.bias().setValue(m.create(new double[] {0.5, 0, -1}, new Shape(3)));
            // [1, 2] @ [[1, 2, 3], [4, 5, 6]] + b = [9, 12, 15] + [0.5, 0, -1]
            NDArray y = linear.forward(m.create(new double[] {1, 2}, new Shape(1, 2)));
            assertArrayEquals(new double[] {9.5, 12, 14}, values(y), 1e-12);
            assertEquals(2, linear.parameters().size());
        }
    }

    @Test
    void layerNormUsesBiasedVariance() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            LayerNorm norm = LayerNorm.create(m, "ln", 4, 1e-5, DataType.FLOAT64);
            norm.gamma().setValue(m.create(new double[] {1, 2, 1, 1}, new Shape(4)));
            norm.beta().setValue(m.create(new double[] {0, 0, 1, 0}, new Shape(4)));
            // x = {1, 2, 3, 6}: mean 3, var = (4 + 1 + 0 + 9) / 4 = 3.5
            double s = Math.sqrt(3.5 + 1e-5);
            NDArray y = norm.forward(m.create(new double[] {1, 2, 3, 6}, new Shape(1, 4)));
            assertArrayEquals(new double[] {-2 / s, 2 * -1 / s, 0 + 1, 3 / s}, values(y), 1e-9);
        }
    }

    @Test
    void sinusoidalTableAndScaling() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            int d = 4;
            PositionalEncoding abs = new PositionalEncoding(m, d, 0.0, 100, DataType.FLOAT64);
            // pe[p] = {sin(p), cos(p), sin(p / 100), cos(p / 100)} for d = 4 (10000^(2/4) = 100)
            double[] pe = values(abs.positionEncoding(m, 2, 2)); // positions 2 and 3
            double[] expected = {Math.sin(2), Math.cos(2), Math.sin(0.02), Math.cos(0.02), Math.sin(3), Math.cos(3),
                Math.sin(0.03), Math.cos(0.03)};
            assertArrayEquals(expected, pe, 1e-12);
            NDArray x = m.ones(new Shape(1, 2, d), DataType.FLOAT64);
            // abs: x * sqrt(4) + pe[offset ..]; rel: x * 2 only, pe returned apart
            PositionalEncoding.Encoded a = abs.forward(x, 2, false);
            double[] ax = values(a.x());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(2 + expected[i], ax[i], 1e-12, "abs entry " + i);
            }
            RelPositionalEncoding rel = new RelPositionalEncoding(m, d, 0.0, 100, DataType.FLOAT64);
            PositionalEncoding.Encoded r = rel.forward(x, 2, false);
            assertArrayEquals(new double[] {2, 2, 2, 2, 2, 2, 2, 2}, values(r.x()), 1e-12);
            assertArrayEquals(expected, values(r.posEmb()), 1e-12);
            assertEquals(new Shape(1, 2, d), r.posEmb().getShape());
        }
    }

    @Test
    void gluHalvesTheAxis() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // glu([a, b]) = a * sigmoid(b): [2, 0] -> 2 * 0.5 = 1; [3, ln 3] -> 3 * 0.75 = 2.25
            NDArray x = m.create(new double[] {2, 3, 0, Math.log(3)}, new Shape(1, 4));
            assertArrayEquals(new double[] {1, 2.25}, values(Activations.glu(x, 1)), 1e-12);
            // swish(1) = 1 * sigmoid(1)
            assertEquals(1 / (1 + Math.exp(-1)), values(Activations.swish(m.create(1.0)))[0], 1e-12);
        }
    }

    @Test
    void embeddingLooksUpRowsAndDropoutIsIdentityInEvaluation() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Embedding embedding = Embedding.create(m, "embed", 3, 2, DataType.FLOAT64, 1);
            embedding.weight().setValue(m.create(new double[] {0, 1, 10, 11, 20, 21}, new Shape(3, 2)));
            NDArray y = embedding.forward(m.create(new long[] {2, 0, 2}, new Shape(1, 3)));
            assertEquals(new Shape(1, 3, 2), y.getShape());
            assertArrayEquals(new double[] {20, 21, 0, 1, 20, 21}, values(y), 1e-12);
            NDArray x = m.ones(new Shape(1000), DataType.FLOAT64);
            assertSame(x, new Dropout(0.5).forward(x, false));
            double[] dropped = values(new Dropout(0.5).forward(x, true));
            int kept = 0;
            for (double v : dropped) {
                if (v != 0) {
                    assertEquals(2.0, v, 1e-12, "kept values are scaled by 1 / (1 - 0.5)");
                    kept++;
                }
            }
            assertEquals(500, kept, 80, "about half kept (binomial sd ~16)");
        }
    }
}
