package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.Scalars;
import org.omnispark.trainer.nn.RandomDraws;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * Top-k router over a (possibly shared) {@link GateWeight}: logits {@code [T, E]} -&gt; probs -&gt; k experts per token
 * and their combine weights, plus the Switch load-balancing loss and the z-loss.
 *
 * <p>Load-balancing loss (Switch Transformer form, as Megatron-Core):
 *
 * <pre>
 *   aux = auxLossCoeff * E * sum_i f_i * P_i
 *   f_i = (number of valid (token, choice) assignments to expert i) / (numValid * k)   -- a constant locally
 *   P_i = mean over valid tokens of softmax(logits)[t, i]                               -- differentiable
 * </pre>
 *
 * z-loss: {@code zLossCoeff * mean over valid tokens of logsumexp(logits[t, :])^2}.
 *
 * <p>Jitter multiplies the gate input (not the experts' input) by noise uniform in [1-eps, 1+eps], only when
 * training. The noise is drawn on the input's device from libtorch's generator, like dropout masks, through {@link
 * RandomDraws} (the trainer starts a stream per micro-batch from its checkpointed counter, so a resumed run draws the
 * same noise, and ranks sharing a JVM do not disturb each other's draws). The router holds no mutable state.
 */
public final class TopKRouter implements Router {

    /** Its name in {@link Routers} and in a model YAML's {@code ffn.router}. */
    public static final String KIND = "topk";

    private final GateWeight gate;
    private final RouterSpec config;

    /**
     * Creates a router.
     *
     * @param gate the gate (shared or owned by this layer)
     * @param config the options
     */
    public TopKRouter(GateWeight gate, RouterSpec config) {
        if (config.topK() > gate.numExperts()) {
            throw new IllegalArgumentException(
                    "topK " + config.topK() + " exceeds the number of experts " + gate.numExperts());
        }
        this.gate = gate;
        this.config = config;
    }

    @Override
    public RoutingResult route(NDArray hidden, boolean[] validMask, boolean training) {
        Shape shape = hidden.getShape();
        if (shape.dimension() != 2 || shape.get(1) != gate.modelDim()) {
            throw new IllegalArgumentException(
                    "The router expects hidden [T, " + gate.modelDim() + "], got " + shape + "; flatten [B, T, d] first");
        }
        int numTokens = Math.toIntExact(shape.get(0));
        boolean[] valid = validMask == null ? allTrue(numTokens) : validMask;
        if (valid.length != numTokens) {
            throw new IllegalArgumentException(
                    "validMask has " + valid.length + " entries for " + numTokens + " tokens");
        }
        int numValid = 0;
        for (boolean v : valid) {
            numValid += v ? 1 : 0;
        }
        NDManager scope = hidden.getManager();
        DataType dataType = hidden.getDataType();
        int numExperts = gate.numExperts();
        int k = config.topK();

        NDArray gateInput = hidden;
        if (training && config.jitterEps() > 0) {
            float eps = (float) config.jitterEps();
            NDArray noise = RandomDraws.draw(() -> scope.randomUniform(1 - eps, 1 + eps, shape, dataType)); // [T, d]
            gateInput = hidden.mul(noise);
        }
        NDArray logits = gate.logits(gateInput); // [T, E]
        // Under a StagedBackward the losses (final loss) and the combine weights (the segment after this block) may
        // only meet at a leaf: cut the logits and give each use its own softmax.
        boolean staged = StagedBackward.recording();
        if (staged) {
            logits = StagedBackward.cut(logits);
        }
        NDArray probs = logits.softmax(1); // [T, E]
        NDArray topIdx = k == 1
                ? logits.argMax(1).reshape(numTokens, 1)
                : logits.topK(k, 1, true, true).get(1); // [T, k] int64
        long[] topHost = HostSyncs.longs(topIdx, HostSyncs.Kind.ROUTER_CHOICES); // the layer's one host sync

        NDArray weights; // [T, k]
        if (config.normalization() == RoutingNormalization.TOPK_THEN_SOFTMAX) {
            weights = logits.gather(topIdx, 1).softmax(1);
        } else {
            weights = (staged ? logits.softmax(1) : probs).gather(topIdx, 1);
            if (config.renormalize()) {
                weights = weights.div(weights.sum(new int[] {1}, true));
            }
        }

        long[] tokensPerExpert = new long[numExperts];
        for (int t = 0; t < numTokens; t++) {
            if (valid[t]) {
                for (int j = 0; j < k; j++) {
                    tokensPerExpert[(int) topHost[t * k + j]]++;
                }
            }
        }

        RoutingResult routing = new RoutingResult(
                logits, probs, topHost, weights, valid, numValid, tokensPerExpert, null, null);
        Losses losses = losses(routing, BatchStatistics.of(routing));
        return new RoutingResult(logits, probs, topHost, weights, valid, numValid, tokensPerExpert,
                losses.auxLoss(), losses.zLoss());
    }

    /**
     * {@inheritDoc}
     *
     * <pre>
     *   aux_share = auxLossCoeff * E * sum_i f_i * (sum over this rank's valid tokens t of probs[t, i]) / T_batch
     *   f_i       = batch.tokensPerExpert[i] / (T_batch * k)
     *   z_share   = zLossCoeff * (sum over this rank's valid tokens of logsumexp(logits[t, :])^2) / T_batch
     * </pre>
     */
    @Override
    public Losses losses(RoutingResult routing, BatchStatistics batch) {
        NDManager scope = routing.logits().getManager();
        DataType dataType = routing.logits().getDataType();
        int numExperts = routing.numExperts();
        int k = routing.topK();
        long batchValid = batch.numValidTokens();
        NDArray zero = scope.create(0.0).toType(dataType, false);
        NDArray auxLoss = zero;
        NDArray zLoss = zero;
        if (routing.numValidTokens() > 0 && (config.auxLossCoeff() > 0 || config.zLossCoeff() > 0)) {
            // Few operations on purpose (a streaming chunk pays per operation): the host folds every constant into
            // one vector, and padding is masked only when there is some.
            boolean allValid = routing.numValidTokens() == routing.numTokens();
            NDArray mask = allValid ? null : maskColumn(scope, routing.validMask(), dataType); // [T, 1]
            if (config.auxLossCoeff() > 0) {
                // aux = sum_i scale_i * sum_t probs[t, i], scale_i = auxLossCoeff * E * f_i / T_batch
                double[] scale = new double[numExperts];
                for (int e = 0; e < numExperts; e++) {
                    double fraction = batch.tokensPerExpert()[e] / ((double) batchValid * k);
                    scale[e] = config.auxLossCoeff() * numExperts * fraction / batchValid;
                }
                NDArray probs = allValid ? routing.probs() : routing.probs().mul(mask); // [T, E]
                auxLoss = probs.sum(new int[] {0}).mul(hostVector(scope, scale, new Shape(numExperts), dataType)).sum();
            }
            if (config.zLossCoeff() > 0) {
                NDArray logits = routing.logits();
                NDArray max = logits.max(new int[] {1}, true); // [T, 1]
                NDArray lse = logits.sub(max).exp().sum(new int[] {1}, true).log().add(max); // [T, 1]
                NDArray squared = allValid ? lse.square() : lse.square().mul(mask);
                zLoss = Scalars.mul(squared.sum(), config.zLossCoeff() / batchValid);
            }
        }
        return new Losses(auxLoss, zLoss);
    }

    static NDArray maskColumn(NDManager scope, boolean[] valid, DataType dataType) {
        double[] values = new double[valid.length];
        for (int t = 0; t < valid.length; t++) {
            values[t] = valid[t] ? 1 : 0;
        }
        return hostVector(scope, values, new Shape(valid.length, 1), dataType);
    }

    /** Host values as a tensor of the given shape and type, in one operation for float32 and float64. */
    private static NDArray hostVector(NDManager scope, double[] values, Shape shape, DataType dataType) {
        if (dataType == DataType.FLOAT64) {
            return scope.create(values, shape);
        }
        if (dataType == DataType.FLOAT32) {
            float[] floats = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                floats[i] = (float) values[i];
            }
            return scope.create(floats, shape);
        }
        return scope.create(values, shape).toType(dataType, false);
    }

    private static boolean[] allTrue(int n) {
        boolean[] valid = new boolean[n];
        Arrays.fill(valid, true);
        return valid;
    }

    /** @return the gate this router applies */
    public GateWeight gate() {
        return gate;
    }

    /** @return the options */
    public RouterSpec config() {
        return config;
    }

    @Override
    public int numExperts() {
        return gate.numExperts();
    }

    @Override
    public int topK() {
        return config.topK();
    }

    @Override
    public List<ModelParameter> parameters() {
        return gate.parameters();
    }
}
