package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.TorchScriptModules;

/**
 * The MoE computation for few tokens: EVERY local expert runs on EVERY token, and the router's weights, scattered into
 * a dense {@code [T, E]} matrix (zero where a token was not routed), mix the outputs.
 *
 * <pre>
 *   combine [T, E] = scatter(top_idx [T, k], top_w [T, k])     -- 0 for unrouted experts and for padding tokens
 *   h       [E, T, ffn] = act(x [1, T, d] @ w1 [E, d, ffn] + b1)
 *   y       [E, T, d]   = h @ w2 [E, ffn, d] + b2
 *   out     [T, d]      = sum_e combine[t, e] * y[e, t]         -- = the dispatched path's output
 * </pre>
 *
 * <p>It computes E / k times the rows of the dispatched path ({@link TokenDispatcher} + {@link Experts}), but as ONE
 * call into libtorch (a TorchScript module, {@code every_expert_mixture.pt}, made by the script beside it) instead of
 * about 30 small operations, each a JNI call with its own tensor bookkeeping. At a 16-token streaming chunk a GEMM
 * costs about the same for 4 rows as for 16 (its time is reading the weights), and nearly every expert is chosen by
 * some token anyway, so the extra rows are cheap and the saved operations are not: {@link MoeFeedForward} takes this
 * path at inference while {@code T <= everyExpertMaxTokens} (the crossover measured by {@code MoeSmallBatchBenchmark},
 * docs/benchmarks.md).
 * Gradients reach the tokens, the expert weights and the router's weights exactly as on the dispatched path (an
 * unrouted expert's output is multiplied by 0). Only valid for all experts local and nothing dropped.
 */
public final class EveryExpertMixture {

    private EveryExpertMixture() {}

    /**
     * Mixes every expert's output by the routing.
     *
     * @param tokens {@code [T, d]}
     * @param routing the router's choices for these T tokens
     * @param weights every expert's weights (not a slice)
     * @return {@code [T, d]} in the tokens' manager, differentiable w.r.t. tokens, expert weights and routing weights
     */
    public static NDArray forward(NDArray tokens, RoutingResult routing, ExpertWeights weights) {
        if (weights.numLocalExperts() != routing.numExperts()) {
            throw new IllegalArgumentException("EveryExpertMixture needs all " + routing.numExperts()
                    + " experts, the weights hold " + weights.numLocalExperts() + "; use the dispatched path");
        }
        NDManager scope = tokens.getManager();
        int numTokens = routing.numTokens();
        NDArray topIdx = scope.create(routing.topIndices(), new Shape(numTokens, routing.topK())); // [T, k] int64
        NDArray topWeights = routing.weights(); // [T, k]
        if (routing.numValidTokens() < numTokens) { // padding tokens take no expert output
            topWeights = topWeights.mul(TopKRouter.maskColumn(scope, routing.validMask(), topWeights.getDataType()));
        }
        DataType type = tokens.getDataType();
        NDArray b1 = weights.b1() == null ? scope.zeros(new Shape(0), type) : weights.b1().array(); // [E, 1, ffn]
        NDArray b2 = weights.b2() == null ? scope.zeros(new Shape(0), type) : weights.b2().array(); // [E, 1, d]
        boolean bf16 = Autocast.computeType() != null && type == DataType.FLOAT32;
        // read with int() inside the module: on a GPU manager that is a device-to-host copy (untested there)
        NDArray flags = scope.create(new long[] {activationCode(weights.config().activation()), bf16 ? 1 : 0});
        NDList inputs = new NDList(tokens, topIdx, topWeights, weights.w1().array(), b1, weights.w2().array(), b2,
                flags);
        return IValueUtils.forward(Holder.MODULE, inputs, true).singletonOrThrow(); // [T, d]
    }

    private static long activationCode(FfnActivation activation) {
        return switch (activation) {
            case RELU -> 0;
            case GELU -> 1;
            case SWISH -> 2;
        };
    }

    /** Loads the module once per JVM, on first use. */
    private static final class Holder {
        static final PtSymbolBlock MODULE = TorchScriptModules.load("/org/omnispark/trainer/moe/every_expert_mixture.pt",
                "trainer/src/main/resources/org/omnispark/trainer/moe/make_every_expert_mixture_module.py");
    }
}
