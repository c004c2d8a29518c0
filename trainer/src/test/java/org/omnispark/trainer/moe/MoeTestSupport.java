package org.omnispark.trainer.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.DoubleSupplier;
import org.omnispark.trainer.TorchTestSupport;
import org.omnispark.trainer.nn.ModelParameter;

/** Helpers shared by the MoE tests: engine start, seeded data, backward, finite differences, comparisons. */
final class MoeTestSupport {

    private MoeTestSupport() {}

    /** @return a fresh base manager; grad mode is switched on for this thread */
    static NDManager newManager() {
        return TorchTestSupport.newManager();
    }

    /** Standard normal values from a seeded host RNG. */
    static NDArray randn(NDManager manager, Shape shape, long seed, DataType dataType) {
        return TorchTestSupport.randn(manager, shape, seed, dataType);
    }

    /** Backward from a scalar loss on this thread (gradients accumulate into leaves). */
    static void backward(NDArray loss) {
        TorchTestSupport.backward(loss);
    }

    /** A copy of a parameter's gradient as doubles. */
    static double[] gradient(ModelParameter parameter) {
        try (NDArray g = parameter.gradient()) {
            return g.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /** A copy of an array's gradient as doubles. */
    static double[] gradient(NDArray array) {
        try (NDArray g = array.getGradient()) {
            return g.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /** Scalar value of a 0-d or 1-element array. */
    static double scalar(NDArray array) {
        return array.toType(DataType.FLOAT64, false).toDoubleArray()[0];
    }

    static double[] values(NDArray array) {
        return array.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /**
     * Central finite differences of {@code loss} w.r.t. the given entries of a parameter: {@code (L(p + h e_i) - L(p
     * - h e_i)) / 2h}, with grad mode off during the evaluations.
     */
    static double[] finiteDifferences(ModelParameter parameter, int[] entries, double h, DoubleSupplier loss) {
        NDArray array = parameter.array();
        double[] original = values(array);
        double[] result = new double[entries.length];
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scratch = array.getManager().newSubManager()) {
            for (int n = 0; n < entries.length; n++) {
                int i = entries[n];
                double[] perturbed = original.clone();
                perturbed[i] = original[i] + h;
                parameter.setValue(scratch.create(perturbed, array.getShape()));
                double plus = loss.getAsDouble();
                perturbed[i] = original[i] - h;
                parameter.setValue(scratch.create(perturbed, array.getShape()));
                double minus = loss.getAsDouble();
                result[n] = (plus - minus) / (2 * h);
            }
            parameter.setValue(scratch.create(original, array.getShape()));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return result;
    }

    /** Spread-out entries {0, step, 2 step, ...} of a tensor of the given size. */
    static int[] sampleEntries(long size, int count) {
        int n = (int) Math.min(size, count);
        int[] entries = new int[n];
        for (int i = 0; i < n; i++) {
            entries[i] = (int) (i * size / n);
        }
        return entries;
    }

    static double[] pick(double[] values, int[] entries) {
        double[] out = new double[entries.length];
        for (int i = 0; i < entries.length; i++) {
            out[i] = values[entries[i]];
        }
        return out;
    }

    /** Asserts |expected - actual| <= atol + rtol |expected| elementwise, naming the first mismatch. */
    static void assertClose(double[] expected, double[] actual, double atol, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = atol + rtol * Math.abs(expected[i]);
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(what + ": entry " + i + " expected " + expected[i] + " but got " + actual[i] + " (tolerance "
                        + tol + ")");
            }
        }
    }

    /** Asserts the largest |value| is at least {@code min} (a gradient that is not trivially zero). */
    static void assertNonTrivial(double[] values, double min, String what) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        if (max < min) {
            fail(what + " is trivially small: max |value| = " + max);
        }
    }

    /** An MoE layer with its own experts over the given gate. */
    static MoeFeedForward moe(
            NDManager m,
            GateWeight gate,
            RouterSpec routerSpec,
            FeedForwardSpec ffn,
            double capacityFactor,
            boolean grouped,
            String name,
            long seed) {
        ExpertWeights weights = ExpertWeights.create(m, ffn, gate.numExperts(), name + ".experts", seed);
        return MoeFeedForward.builder()
                .setRouter(new TopKRouter(gate, routerSpec))
                .setExperts(grouped ? new GroupedExperts(weights) : new SequentialExperts(weights))
                .optDispatcher(new LocalTokenDispatcher(capacityFactor))
                .build();
    }

    /** A float64 FFN config. */
    static FeedForwardSpec ffn64(int d, int ffn, FfnActivation activation, boolean bias) {
        return FeedForwardSpec.builder().setModelDim(d).setFfnDim(ffn).optActivation(activation).optBias(bias)
                .optDataType(DataType.FLOAT64).build();
    }
}
