package org.omnispark.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Random;

/** libtorch helpers shared by the trainer's tests: engine start, seeded data, per-thread backward, gradients. */
public final class TorchTestSupport {
    static {
        Engine.getEngine("PyTorch"); // before any JniUtils call
    }

    private TorchTestSupport() {}

    /** @return a fresh base manager; grad mode is switched on for this thread */
    public static NDManager newManager() {
        NDManager manager = NDManager.newBaseManager("PyTorch");
        JniUtils.setGradMode(true);
        return manager;
    }

    /** Standard normal values from a seeded host RNG (independent of libtorch's generator). */
    public static NDArray randn(NDManager manager, Shape shape, long seed, DataType dataType) {
        Random random = new Random(seed);
        double[] values = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return manager.create(values, shape).toType(dataType, false);
    }

    /** Backward from a scalar loss on this thread (gradients accumulate into leaves). */
    public static void backward(NDArray loss) {
        try (NDArray ones = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        }
    }

    /** A copy of an array's gradient as doubles. */
    public static double[] gradient(NDArray array) {
        try (NDArray g = array.getGradient()) {
            return g.toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }
}
