package org.omnispark.trainer.ctc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * CtcLoss against a hand-computed case and against PyTorch (trainer/src/test/python/make_ctc_golden.py: float64
 * maths, stored as float32; the Java side runs float64 on the same inputs: tolerance 1e-5 absolute + relative).
 */
class CtcLossTest {

    private static final String SCRIPT = "trainer/src/test/python/make_ctc_golden.py";
    private static final double TOL = 1e-5;

    static {
        Engine.getEngine("PyTorch");
    }

    /**
     * T=2, V=2 (0 = blank, 1 = label), target [1]. Frame probabilities p1 = (0.4, 0.6), p2 = (0.7, 0.3). The paths
     * that collapse to [1] are (1,b), (b,1), (1,1):
     *
     * <pre>
     *   P = p1(1) p2(b) + p1(b) p2(1) + p1(1) p2(1) = 0.42 + 0.12 + 0.18 = 0.72,  loss = -ln 0.72 = 0.3285040669720361
     * </pre>
     *
     * With logits z = ln p (so log_softmax(z) = ln p), dL/dz[t,k] = p_t(k) - gamma_t(k), gamma = posterior occupancy:
     * gamma_1(1) = (0.42 + 0.18) / 0.72, gamma_1(b) = 0.12 / 0.72, gamma_2(1) = (0.12 + 0.18) / 0.72,
     * gamma_2(b) = 0.42 / 0.72.
     */
    @Test
    void handComputedTwoFrameCase() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(true);
            try {
                NDArray logits = m.create(new double[] {Math.log(0.4), Math.log(0.6), Math.log(0.7), Math.log(0.3)},
                        new Shape(2, 1, 2)); // [T, B, V]
                logits.setRequiresGradient(true);
                NDArray loss = CtcLoss.wenet().forward(logits.logSoftmax(-1), m.create(new long[] {1}, new Shape(1, 1)),
                        m.create(new long[] {2}), m.create(new long[] {1}));
                backward(loss);
                double expected = -Math.log(0.72);
                assertEquals(expected, scalar(loss), 1e-12, "loss = -ln(0.42 + 0.12 + 0.18)");
                double[] expectedGrad = {
                    0.4 - 0.12 / 0.72, 0.6 - 0.60 / 0.72, // t = 1: blank, label
                    0.7 - 0.42 / 0.72, 0.3 - 0.30 / 0.72 // t = 2
                };
                assertArrayEquals(expectedGrad, grad(logits), 1e-12, "dL/dz = p - posterior occupancy");
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }

    /** The other reductions on the same hand case and a batch of two copies: sum doubles, the means do not. */
    @Test
    void reductions() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            double[] lp = {Math.log(0.4), Math.log(0.6), Math.log(0.4), Math.log(0.6),
                Math.log(0.7), Math.log(0.3), Math.log(0.7), Math.log(0.3)};
            NDArray logProbs = m.create(lp, new Shape(2, 2, 2)); // [T=2, B=2, V=2], both utterances identical
            NDArray targets = m.create(new long[] {1, 1}, new Shape(2, 1));
            NDArray inLen = m.create(new long[] {2, 2});
            NDArray tgtLen = m.create(new long[] {1, 1});
            double one = -Math.log(0.72);
            assertEquals(2 * one, scalar(reduce(CtcReduction.SUM, logProbs, targets, inLen, tgtLen)), 1e-12);
            assertEquals(one, scalar(reduce(CtcReduction.SUM_OVER_BATCH, logProbs, targets, inLen, tgtLen)), 1e-12);
            assertEquals(one, scalar(reduce(CtcReduction.MEAN_OVER_TARGET_LENGTH, logProbs, targets, inLen, tgtLen)),
                    1e-12);
            assertArrayEquals(new double[] {one, one},
                    values(reduce(CtcReduction.NONE, logProbs, targets, inLen, tgtLen)), 1e-12);
        }
    }

    @Test
    void goldenWithPerThreadBackward() throws IOException {
        GoldenTensors g = GoldenTensors.open("/golden/ctc/", SCRIPT);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(true);
            try {
                NDArray logits = g.load(m, "logits", DataType.FLOAT64);
                logits.setRequiresGradient(true);
                NDArray[] out = lossAndNll(g, m, logits);
                backward(out[0]);
                compareWithGolden(g, out, grad(logits), "per-thread JniUtils.backward");
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }

    @Test
    void goldenWithGradientCollector() throws IOException {
        GoldenTensors g = GoldenTensors.open("/golden/ctc/", SCRIPT);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = g.load(m, "logits", DataType.FLOAT64);
            logits.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray[] out = lossAndNll(g, m, logits);
                collector.backward(out[0]);
                compareWithGolden(g, out, grad(logits), "GradientCollector");
            }
        }
    }

    /** Float32 (the training type) agrees with the float64 golden values to float32 accuracy. */
    @Test
    void goldenInFloat32() throws IOException {
        GoldenTensors g = GoldenTensors.open("/golden/ctc/", SCRIPT);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(true);
            try {
                NDArray logits = g.load(m, "logits", DataType.FLOAT32);
                logits.setRequiresGradient(true);
                NDArray[] out = lossAndNll(g, m, logits);
                backward(out[0]);
                assertEquals(DataType.FLOAT32, out[0].getDataType());
                assertEquals(g.doubles("loss")[0], scalar(out[0]), 1e-4, "float32 loss");
                assertArrayEquals(g.doubles("grad_logits"), grad(logits), 1e-5, "float32 gradient");
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }

    /** Two threads, each with its own grad mode and backward, get the golden gradient concurrently. */
    @Test
    void concurrentThreadsEachBackwardTheirOwnGraph() throws Exception {
        GoldenTensors g = GoldenTensors.open("/golden/ctc/", SCRIPT);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                futures.add(pool.submit(() -> {
                    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                        JniUtils.setGradMode(true);
                        double[] last = null;
                        for (int step = 0; step < 5; step++) {
                            try (NDManager stepManager = m.newSubManager()) {
                                NDArray logits = g.load(stepManager, "logits", DataType.FLOAT64);
                                logits.setRequiresGradient(true);
                                backward(lossAndNll(g, stepManager, logits)[0]);
                                last = grad(logits);
                            }
                        }
                        JniUtils.setGradMode(false);
                        return last;
                    }
                }));
            }
            for (Future<double[]> future : futures) {
                assertClose(g.doubles("grad_logits"), future.get(), "gradient on a worker thread");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsBatchMajorInput() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray wrong = m.zeros(new Shape(2, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CtcLoss.wenet()
                    .forward(wrong, m.zeros(new Shape(3, 1)), m.create(new long[] {2}), m.create(new long[] {1})));
            assertEquals(true, e.getMessage().contains("[T, B, V]"), e.getMessage());
        }
    }

    private static NDArray[] lossAndNll(GoldenTensors g, NDManager m, NDArray logits) throws IOException {
        NDArray logProbs = logits.logSoftmax(-1).transpose(1, 0, 2); // [B, T, V] -> [T, B, V]
        NDArray targets = g.load(m, "targets", DataType.FLOAT64); // padded with -1
        NDArray inLen = g.load(m, "input_lengths", DataType.FLOAT64);
        NDArray tgtLen = g.load(m, "target_lengths", DataType.FLOAT64);
        CtcLoss loss = CtcLoss.wenet();
        NDArray nll = loss.perUtterance(logProbs, targets, inLen, tgtLen);
        return new NDArray[] {loss.forward(logProbs, targets, inLen, tgtLen), nll};
    }

    private static void compareWithGolden(GoldenTensors g, NDArray[] out, double[] gradient, String how)
            throws IOException {
        assertClose(g.doubles("nll"), values(out[1]), how + ": per-utterance nll (the third is impossible: 0)");
        assertEquals(0.0, values(out[1])[2], 0.0, how + ": impossible alignment gives zero loss");
        assertEquals(g.doubles("loss")[0], scalar(out[0]), TOL * (1 + Math.abs(g.doubles("loss")[0])), how);
        assertClose(g.doubles("grad_logits"), gradient, how + ": gradient of the logits");
    }

    private static NDArray reduce(CtcReduction r, NDArray lp, NDArray tg, NDArray il, NDArray tl) {
        return CtcLoss.builder().optReduction(r).build().forward(lp, tg, il, tl);
    }

    static void backward(NDArray loss) {
        try (NDArray ones = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        }
    }

    static double[] grad(NDArray array) {
        try (NDArray g = array.getGradient()) {
            return values(g);
        }
    }

    static double[] values(NDArray array) {
        return array.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    static double scalar(NDArray array) {
        return values(array)[0];
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = TOL * (1 + Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + " at " + i);
        }
    }
}
