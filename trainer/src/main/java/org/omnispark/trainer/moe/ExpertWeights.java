package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * The stacked parameters of a contiguous slice of experts, each an FFN d -&gt; ffn -&gt; d.
 *
 * <pre>
 *   w1 [E_local, d, ffn]   b1 [E_local, 1, ffn]
 *   w2 [E_local, ffn, d]   b2 [E_local, 1, d]
 * </pre>
 *
 * <p>Initialization is per GLOBAL expert (expert e uses seed {@code seed + 4 * e + j}), so a rank holding experts
 * [offset, offset + n) gets exactly the values those experts have in a single-process model.
 */
public final class ExpertWeights implements ParameterOwner {

    private final FeedForwardSpec config;
    private final int numExperts;
    private final int localExpertOffset;
    private final int numLocalExperts;
    private final ModelParameter w1;
    private final ModelParameter b1;
    private final ModelParameter w2;
    private final ModelParameter b2;

    private ExpertWeights(
            FeedForwardSpec config,
            int numExperts,
            int localExpertOffset,
            int numLocalExperts,
            ModelParameter w1,
            ModelParameter b1,
            ModelParameter w2,
            ModelParameter b2) {
        this.config = config;
        this.numExperts = numExperts;
        this.localExpertOffset = localExpertOffset;
        this.numLocalExperts = numLocalExperts;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
    }

    /**
     * Creates the weights of all E experts (single process).
     *
     * @param manager the model's long-lived manager
     * @param config the FFN shape of one expert
     * @param numExperts E
     * @param name parameter name prefix, e.g. {@code "layer0.moe.experts"}
     * @param seed initialization seed
     * @return the weights
     */
    public static ExpertWeights create(
            NDManager manager, FeedForwardSpec config, int numExperts, String name, long seed) {
        return createSlice(manager, config, numExperts, 0, numExperts, name, seed);
    }

    /**
     * Creates the weights of experts {@code [localExpertOffset, localExpertOffset + numLocalExperts)}.
     *
     * @param manager the model's long-lived manager
     * @param config the FFN shape of one expert
     * @param numExperts E (global)
     * @param localExpertOffset first global expert held here
     * @param numLocalExperts number of experts held here
     * @param name parameter name prefix
     * @param seed initialization seed (same on every rank)
     * @return the weights
     */
    public static ExpertWeights createSlice(
            NDManager manager,
            FeedForwardSpec config,
            int numExperts,
            int localExpertOffset,
            int numLocalExperts,
            String name,
            long seed) {
        if (numLocalExperts < 1 || localExpertOffset < 0 || localExpertOffset + numLocalExperts > numExperts) {
            throw new IllegalArgumentException("Expert slice [" + localExpertOffset + ", "
                    + (localExpertOffset + numLocalExperts) + ") is not inside [0, " + numExperts + ")");
        }
        int d = config.modelDim();
        int f = config.ffnDim();
        double bound1 = 1 / Math.sqrt(d);
        double bound2 = 1 / Math.sqrt(f);
        ModelParameter w1 = stacked(manager, config, name + ".w1", localExpertOffset, numLocalExperts,
                new Shape(d, f), bound1, seed, 0);
        ModelParameter w2 = stacked(manager, config, name + ".w2", localExpertOffset, numLocalExperts,
                new Shape(f, d), bound2, seed, 1);
        ModelParameter b1 = null;
        ModelParameter b2 = null;
        if (config.bias()) {
            b1 = stacked(manager, config, name + ".b1", localExpertOffset, numLocalExperts, new Shape(1, f), bound1,
                    seed, 2);
            b2 = stacked(manager, config, name + ".b2", localExpertOffset, numLocalExperts, new Shape(1, d), bound2,
                    seed, 3);
        }
        return new ExpertWeights(config, numExperts, localExpertOffset, numLocalExperts, w1, b1, w2, b2);
    }

    private static ModelParameter stacked(
            NDManager manager,
            FeedForwardSpec config,
            String name,
            int offset,
            int count,
            Shape perExpert,
            double bound,
            long seed,
            int which) {
        int size = Math.toIntExact(perExpert.size());
        double[] values = new double[size * count];
        for (int i = 0; i < count; i++) {
            SplittableRandom random = new SplittableRandom(seed + 4L * (offset + i) + which);
            for (int j = 0; j < size; j++) {
                values[i * size + j] = (2 * random.nextDouble() - 1) * bound;
            }
        }
        Shape shape = new Shape(count).addAll(perExpert);
        NDArray array = manager.create(values, shape).toType(config.dataType(), false);
        return new ModelParameter(name, array, true);
    }

    /** @return the FFN shape of one expert */
    public FeedForwardSpec config() {
        return config;
    }

    /** @return E (global) */
    public int numExperts() {
        return numExperts;
    }

    /** @return the first global expert held here */
    public int localExpertOffset() {
        return localExpertOffset;
    }

    /** @return the number of experts held here */
    public int numLocalExperts() {
        return numLocalExperts;
    }

    /** @return w1 {@code [E_local, d, ffn]} */
    public ModelParameter w1() {
        return w1;
    }

    /** @return b1 {@code [E_local, 1, ffn]} or null without bias */
    public ModelParameter b1() {
        return b1;
    }

    /** @return w2 {@code [E_local, ffn, d]} */
    public ModelParameter w2() {
        return w2;
    }

    /** @return b2 {@code [E_local, 1, d]} or null without bias */
    public ModelParameter b2() {
        return b2;
    }

    @Override
    public List<ModelParameter> parameters() {
        return ParameterCollector.nonNull(w1, b1, w2, b2);
    }
}
