package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * The dense baseline feed-forward network: {@code y = act(x W1 + b1) W2 + b2}.
 *
 * <p>Weights are input-major: {@code W1 [d, ffn]}, {@code W2 [ffn, d]} (PyTorch's {@code Linear.weight} transposed).
 */
public final class DenseFeedForward implements ParameterOwner {

    private final FeedForwardSpec config;
    private final ModelParameter w1;
    private final ModelParameter b1;
    private final ModelParameter w2;
    private final ModelParameter b2;

    private DenseFeedForward(
            FeedForwardSpec config, ModelParameter w1, ModelParameter b1, ModelParameter w2, ModelParameter b2) {
        this.config = config;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
    }

    /**
     * Creates the layer with PyTorch-Linear-like initialization (uniform in +-1/sqrt(fanIn)).
     *
     * @param manager the model's long-lived manager
     * @param config shape and options
     * @param name the name prefix of the parameters, e.g. {@code "layer0.ffn"}
     * @param seed the initialization seed
     * @return the layer
     */
    public static DenseFeedForward create(NDManager manager, FeedForwardSpec config, String name, long seed) {
        int d = config.modelDim();
        int f = config.ffnDim();
        double bound1 = 1 / Math.sqrt(d);
        double bound2 = 1 / Math.sqrt(f);
        ModelParameter w1 =
                ModelParameter.uniform(manager, name + ".w1", new Shape(d, f), config.dataType(), bound1, seed, false);
        ModelParameter w2 = ModelParameter.uniform(
                manager, name + ".w2", new Shape(f, d), config.dataType(), bound2, seed + 1, false);
        ModelParameter b1 = null;
        ModelParameter b2 = null;
        if (config.bias()) {
            b1 = ModelParameter.uniform(
                    manager, name + ".b1", new Shape(f), config.dataType(), bound1, seed + 2, false);
            b2 = ModelParameter.uniform(
                    manager, name + ".b2", new Shape(d), config.dataType(), bound2, seed + 3, false);
        }
        return new DenseFeedForward(config, w1, b1, w2, b2);
    }

    /**
     * Runs the FFN.
     *
     * @param hidden {@code [..., d]}
     * @return {@code [..., d]}
     */
    public NDArray forward(NDArray hidden) {
        NDArray h = Autocast.matMul(hidden, w1.array()); // [..., ffn]
        if (b1 != null) {
            h = h.add(b1.array());
        }
        h = config.activation().apply(h);
        NDArray y = Autocast.matMul(h, w2.array()); // [..., d]
        if (b2 != null) {
            y = y.add(b2.array());
        }
        return y;
    }

    /** @return the configuration */
    public FeedForwardSpec config() {
        return config;
    }

    /** @return W1 {@code [d, ffn]} */
    public ModelParameter w1() {
        return w1;
    }

    /** @return b1 {@code [ffn]}, or null without bias */
    public ModelParameter b1() {
        return b1;
    }

    /** @return W2 {@code [ffn, d]} */
    public ModelParameter w2() {
        return w2;
    }

    /** @return b2 {@code [d]}, or null without bias */
    public ModelParameter b2() {
        return b2;
    }

    @Override
    public List<ModelParameter> parameters() {
        return ParameterCollector.nonNull(w1, b1, w2, b2);
    }
}
