package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;

/** Element-wise activations used by the encoder and decoder layers. */
public final class Activations {

    private Activations() {}

    /**
     * max(x, 0).
     *
     * @param x any shape
     * @return same shape
     */
    public static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    /**
     * Swish / SiLU: {@code x * sigmoid(x)}.
     *
     * @param x any shape
     * @return same shape
     */
    public static NDArray swish(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /**
     * Gated linear unit: splits {@code x} in halves {@code a, b} along {@code axis} and returns {@code a *
     * sigmoid(b)} (PyTorch's {@code F.glu}).
     *
     * @param x {@code [..., 2C, ...]}
     * @param axis the axis to halve
     * @return {@code [..., C, ...]}
     */
    public static NDArray glu(NDArray x, int axis) {
        long size = x.getShape().get(axis < 0 ? x.getShape().dimension() + axis : axis);
        if (size % 2 != 0) {
            throw new IllegalArgumentException("GLU needs an even size on axis " + axis + ", got " + x.getShape());
        }
        NDList halves = x.split(2, axis);
        return halves.get(0).mul(Activation.sigmoid(halves.get(1)));
    }
}
