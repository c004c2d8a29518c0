package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A fully connected layer {@code y = x W + b} with an input-major weight {@code W [in, out]} (PyTorch's {@code
 * nn.Linear.weight} transposed) and an optional bias {@code b [out]}.
 */
public final class Linear implements ParameterOwner {

    private final ModelParameter weight;
    private final ModelParameter bias;

    /**
     * Wraps existing parameters.
     *
     * @param weight {@code [in, out]}
     * @param bias {@code [out]}, or null for no bias
     */
    public Linear(ModelParameter weight, ModelParameter bias) {
        Shape shape = weight.array().getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("A Linear weight must be [in, out], got " + shape);
        }
        if (bias != null && !bias.array().getShape().equals(new Shape(shape.get(1)))) {
            throw new IllegalArgumentException(
                    "A Linear bias must be [" + shape.get(1) + "], got " + bias.array().getShape());
        }
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * Creates the layer with PyTorch's default initialization range (uniform in +-1/sqrt(in)).
     *
     * @param manager the model's long-lived manager
     * @param name parameter name prefix, e.g. {@code "layer0.attn.linear_q"}
     * @param inputDim in
     * @param outputDim out
     * @param withBias whether to add a bias
     * @param dataType FLOAT32 for training, FLOAT64 for gradient checks
     * @param seed initialization seed (the bias uses seed + 1)
     * @return the layer
     */
    public static Linear create(
            NDManager manager, String name, int inputDim, int outputDim, boolean withBias, DataType dataType,
            long seed) {
        if (inputDim <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException(
                    "Linear " + name + " needs positive sizes, got in=" + inputDim + " out=" + outputDim);
        }
        double bound = 1 / Math.sqrt(inputDim);
        ModelParameter w = ModelParameter.uniform(
                manager, name + ".weight", new Shape(inputDim, outputDim), dataType, bound, seed, false);
        ModelParameter b = withBias
                ? ModelParameter.uniform(manager, name + ".bias", new Shape(outputDim), dataType, bound, seed + 1, false)
                : null;
        return new Linear(w, b);
    }

    /**
     * Applies the layer.
     *
     * @param x {@code [..., in]}
     * @return {@code [..., out]}, in x's manager
     */
    public NDArray forward(NDArray x) {
        NDArray y = Autocast.matMul(x, weight.array()); // [..., out]
        return bias == null ? y : y.add(bias.array());
    }

    /** @return W {@code [in, out]} */
    public ModelParameter weight() {
        return weight;
    }

    /** @return b {@code [out]}, or null */
    public ModelParameter bias() {
        return bias;
    }

    /** @return in */
    public int inputDim() {
        return Math.toIntExact(weight.array().getShape().get(0));
    }

    /** @return out */
    public int outputDim() {
        return Math.toIntExact(weight.array().getShape().get(1));
    }

    @Override
    public List<ModelParameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }
}
