package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;

/**
 * Multiplies or divides by a host scalar, safely inside an autograd graph.
 *
 * <p>DJL's {@code NDArray.mul(Number)} / {@code div(Number)} wrap the number in a 0-d tensor made by
 * {@code torch::from_blob} over a direct ByteBuffer and CLOSE it right after the op. libtorch's MulBackward0 /
 * DivBackward0 keep that tensor for the backward pass; once the JVM has garbage-collected its buffer, the backward
 * reads freed memory (NaN or silently wrong gradients, depending on GC timing). Here the scalar belongs to
 * {@code x}'s manager (the micro-batch scope), which is closed only after the backward pass.
 */
public final class Scalars {

    private Scalars() {}

    /** @param x an array whose manager outlives the backward pass @param value the factor @return x * value */
    public static NDArray mul(NDArray x, double value) {
        return x.mul(scalar(x, value));
    }

    /** @param x an array whose manager outlives the backward pass @param value the divisor @return x / value */
    public static NDArray div(NDArray x, double value) {
        return x.div(scalar(x, value));
    }

    private static NDArray scalar(NDArray x, double value) {
        // deliberately not closed: x's manager keeps it (and its buffer) alive until after backward
        return x.getManager().create(value).toType(x.getDataType(), false);
    }
}
