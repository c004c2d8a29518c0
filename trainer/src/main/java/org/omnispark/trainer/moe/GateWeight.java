package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * The router's gate: a linear map without bias from the model dimension to one logit per expert.
 *
 * <p>It is an object of its own so that ONE gate can be shared by every MoE layer (Omni-router) or each layer owns one
 * (Switch); see {@link MoeRouting}.
 */
public final class GateWeight implements ParameterOwner {

    private final ModelParameter weight;
    private final int modelDim;
    private final int numExperts;

    /**
     * Wraps an existing parameter of shape {@code [d, E]}.
     *
     * @param weight the gate parameter, input-major {@code [d, E]}
     */
    public GateWeight(ModelParameter weight) {
        Shape shape = weight.array().getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("A gate weight must be [d, E], got " + shape);
        }
        this.weight = weight;
        this.modelDim = Math.toIntExact(shape.get(0));
        this.numExperts = Math.toIntExact(shape.get(1));
    }

    /**
     * Creates a gate with PyTorch-Linear-like initialization (uniform in +-1/sqrt(d)).
     *
     * @param manager the model's long-lived manager
     * @param name parameter name, e.g. {@code "router.gate"}
     * @param modelDim d
     * @param numExperts E
     * @param dataType FLOAT32 or FLOAT64
     * @param seed the initialization seed
     * @return the gate
     */
    public static GateWeight create(
            NDManager manager, String name, int modelDim, int numExperts, DataType dataType, long seed) {
        if (modelDim <= 0 || numExperts < 2) {
            throw new IllegalArgumentException(
                    "A gate needs modelDim > 0 and at least 2 experts, got " + modelDim + " and " + numExperts);
        }
        return new GateWeight(ModelParameter.uniform(
                manager, name, new Shape(modelDim, numExperts), dataType, 1 / Math.sqrt(modelDim), seed, false));
    }

    /**
     * Computes the gate logits.
     *
     * @param gateInput {@code [T, d]}
     * @return logits {@code [T, E]}
     */
    public NDArray logits(NDArray gateInput) {
        return gateInput.matMul(weight.array());
    }

    /** @return the parameter {@code [d, E]} */
    public ModelParameter weight() {
        return weight;
    }

    /** @return d */
    public int modelDim() {
        return modelDim;
    }

    /** @return E */
    public int numExperts() {
        return numExperts;
    }

    @Override
    public List<ModelParameter> parameters() {
        return List.of(weight);
    }
}
