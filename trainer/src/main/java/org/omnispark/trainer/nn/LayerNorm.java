package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Layer normalization over the last dimension: {@code y = (x - mean) / sqrt(var + eps) * gamma + beta} (biased
 * variance, as PyTorch's {@code nn.LayerNorm}). gamma starts at 1 and beta at 0.
 */
public final class LayerNorm implements ParameterOwner {

    /** PyTorch's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    private final ModelParameter gamma;
    private final ModelParameter beta;
    private final double eps;

    private LayerNorm(ModelParameter gamma, ModelParameter beta, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    /**
     * Creates the layer.
     *
     * @param manager the model's long-lived manager
     * @param name parameter name prefix, e.g. {@code "layer0.norm_mha"}
     * @param dim the normalized (last) dimension
     * @param eps added to the variance; {@link #DEFAULT_EPS} unless reproducing a model trained otherwise
     * @param dataType FLOAT32 or FLOAT64
     * @return the layer
     */
    public static LayerNorm create(NDManager manager, String name, int dim, double eps, DataType dataType) {
        if (dim <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm " + name + " needs dim > 0 and eps > 0, got " + dim + ", "
                    + eps);
        }
        ModelParameter gamma = new ModelParameter(name + ".weight", manager.ones(new Shape(dim), dataType), false);
        ModelParameter beta = new ModelParameter(name + ".bias", manager.zeros(new Shape(dim), dataType), false);
        return new LayerNorm(gamma, beta, eps);
    }

    /**
     * Normalizes.
     *
     * @param x {@code [..., dim]}
     * @return {@code [..., dim]}, in x's manager
     */
    public NDArray forward(NDArray x) {
        long dim = gamma.array().getShape().get(0);
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(dim), gamma.array(), beta.array(), (float) eps)
                .singletonOrThrow();
    }

    /** @return gamma {@code [dim]} */
    public ModelParameter gamma() {
        return gamma;
    }

    /** @return beta {@code [dim]} */
    public ModelParameter beta() {
        return beta;
    }

    /** @return epsilon */
    public double eps() {
        return eps;
    }

    @Override
    public List<ModelParameter> parameters() {
        return List.of(gamma, beta);
    }
}
