package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.omnispark.trainer.nn.Activations;

/** The activation between the two linear maps of a feed-forward network. */
public enum FfnActivation {
    /** max(x, 0). */
    RELU,
    /** The exact (erf) GELU, as PyTorch's {@code nn.GELU()} default. */
    GELU,
    /** Swish / SiLU: x * sigmoid(x) (WeNet's Conformer default). */
    SWISH;

    /**
     * Applies the activation.
     *
     * @param x any shape
     * @return same shape
     */
    public NDArray apply(NDArray x) {
        switch (this) {
            case RELU:
                return Activation.relu(x);
            case GELU:
                return Activation.gelu(x);
            case SWISH:
                return Activations.swish(x); // x * sigmoid(x); DJL's swish(x, 1f) does x.mul(1f) (see Scalars)
            default:
                throw new IllegalStateException("Unhandled activation " + this);
        }
    }
}
