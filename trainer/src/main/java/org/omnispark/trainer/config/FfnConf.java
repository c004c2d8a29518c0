package org.omnispark.trainer.config;

import static org.omnispark.trainer.config.ConfigChecks.oneOf;
import static org.omnispark.trainer.config.ConfigChecks.range;
import static org.omnispark.trainer.config.ConfigChecks.require;

import java.util.List;
import org.omnispark.trainer.moe.RouterSpec;
import org.omnispark.trainer.moe.Routers;
import org.omnispark.trainer.moe.TopKRouter;
import org.omnispark.trainer.moe.RoutingNormalization;

/**
 * The feed-forward layers of a stack ({@code encoder_conf.ffn}, {@code decoder_conf.ffn}). Every FFN of the stack is
 * of this type; for MoE types each expert has the stack's {@code linear_units}, so a top-1 MoE has the same ACTIVE
 * feed-forward parameters as the dense model with the same {@code linear_units}.
 *
 * @param type {@code dense}, {@code switch} (one router per layer) or {@code omni} (one router shared by all MoE
 *     layers of the stack, Omni-router Transformer)
 * @param numExperts experts per MoE layer (default 8; ignored for dense)
 * @param topK experts per token (default 1: Switch / Omni-router; U2++ MoE uses 2)
 * @param capacityFactor expert capacity factor; 0 = dropless (default)
 * @param auxLossCoeff Switch load-balancing loss weight (default 0.01 for switch/omni, 0 for dense)
 * @param zLossCoeff router z-loss weight (default 0)
 * @param jitterEps multiplicative gate-input jitter in training (default 0)
 * @param normalize {@code softmax_then_topk} (Switch/Omni, default) or {@code topk_then_softmax} (WeNet U2++ MoE)
 * @param groupedGemm run the experts as one batched GEMM over a padded {@code [E, C, d]} block ({@code
 *     GroupedExperts}, Megatron's {@code moe_grouped_gemm}) instead of one GEMM pair per expert ({@code
 *     SequentialExperts}, default: faster on CPU, see docs/benchmarks.md); both compute the same function
 * @param router the router's registered name: {@code topk} (default) or a plug-in's ({@link Routers}: a {@link
 *     org.omnispark.trainer.moe.RouterProvider} on the classpath)
 * @param everyExpertMaxTokens at inference, while an MoE block gets at most this many tokens (a streaming chunk: 16
 *     per utterance), every expert runs on every token in one call ({@code EveryExpertMixture}); more tokens, and
 *     training, are dispatched to their experts. Same function either way; 0 always dispatches. Default (null): {@link #everyExpertMaxTokens(int,
 *     int)}, the crossover measured on CPU (docs/benchmarks.md)
 */
public record FfnConf(String type, Integer numExperts, Integer topK, Double capacityFactor, Double auxLossCoeff,
        Double zLossCoeff, Double jitterEps, String normalize, Boolean groupedGemm, String router,
        Integer everyExpertMaxTokens) {

    /**
     * The default of {@code every_expert_max_tokens} is this many multiply-adds per expert FFN layer, T x d x ffn:
     * below it running all E experts costs less than dispatching to them (MoeSmallBatchBenchmark on AMD EPYC, 2 cores:
     * every expert wins at T = 32 for d 128 / ffn 512 and at T = 8 for d 256 / ffn 1024, ties at T = 16 there).
     */
    public static final long EVERY_EXPERT_MAX_WORK = 1L << 21;

    /** The default never exceeds the largest token count measured (T = 32): beyond it the path is not known to pay. */
    public static final long EVERY_EXPERT_MAX_DEFAULT_TOKENS = 32;

    /** Fills defaults and validates. */
    public FfnConf {
        type = oneOf("ffn.type", type == null ? "dense" : type, List.of("dense", "switch", "omni"));
        numExperts = numExperts == null ? 8 : numExperts;
        topK = topK == null ? 1 : topK;
        capacityFactor = capacityFactor == null ? 0.0 : capacityFactor;
        auxLossCoeff = auxLossCoeff == null ? (type.equals("dense") ? 0.0 : 0.01) : auxLossCoeff;
        zLossCoeff = zLossCoeff == null ? 0.0 : zLossCoeff;
        jitterEps = jitterEps == null ? 0.0 : jitterEps;
        groupedGemm = groupedGemm != null && groupedGemm;
        router = router == null ? TopKRouter.KIND : router;
        normalize = oneOf("ffn.normalize", normalize == null ? "softmax_then_topk" : normalize,
                List.of("softmax_then_topk", "topk_then_softmax"));
        if (!type.equals("dense")) {
            require(numExperts >= 2, "ffn.num_experts must be >= 2 for an MoE type, got " + numExperts
                    + "; use type: dense for one expert");
            require(topK >= 1 && topK <= numExperts, "ffn.top_k must be in [1, num_experts=" + numExperts
                    + "], got " + topK);
            Routers.provider(router); // an unknown name fails here, naming the known ones
        }
        range("ffn.capacity_factor", capacityFactor, 0, 64);
        range("ffn.aux_loss_coeff", auxLossCoeff, 0, 10);
        range("ffn.z_loss_coeff", zLossCoeff, 0, 10);
        require(everyExpertMaxTokens == null || everyExpertMaxTokens >= 0,
                "ffn.every_expert_max_tokens must be >= 0 (0: always dispatch), got " + everyExpertMaxTokens);
        require(jitterEps >= 0 && jitterEps < 1, "ffn.jitter_eps must be in [0, 1), got " + jitterEps);
    }

    /** @return the defaults (dense) */
    public static FfnConf dense() {
        return new FfnConf(null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The most tokens an MoE block runs every expert on: {@code every_expert_max_tokens} when set, else {@code
     * EVERY_EXPERT_MAX_WORK / (d * ffn)}, at most 32 (32 for the tiny models' 128 x 512, 8 for 256 x 1024, 2 for 512 x
     * 2048).
     *
     * @param modelDim d
     * @param ffnDim each expert's hidden size
     * @return the token count
     */
    public long everyExpertMaxTokens(int modelDim, int ffnDim) {
        return everyExpertMaxTokens != null ? everyExpertMaxTokens
                : Math.min(EVERY_EXPERT_MAX_DEFAULT_TOKENS, EVERY_EXPERT_MAX_WORK / ((long) modelDim * ffnDim));
    }

    /** @return true for switch and omni */
    public boolean isMoe() {
        return !type.equals("dense");
    }

    /** @return true if one router is shared by all MoE layers of the stack */
    public boolean sharedRouter() {
        return type.equals("omni");
    }

    /**
     * The MoE core's router options for this FFN.
     *
     * @return the router config
     */
    public RouterSpec toRouterSpec() {
        require(isMoe(), "ffn.type is dense: there is no router");
        return RouterSpec.builder()
                .optKind(router)
                .optTopK(topK)
                .optNormalization(normalize.equals("topk_then_softmax")
                        ? RoutingNormalization.TOPK_THEN_SOFTMAX : RoutingNormalization.SOFTMAX_THEN_TOPK)
                .optAuxLossCoeff(auxLossCoeff)
                .optZLossCoeff(zLossCoeff)
                .optJitterEps(jitterEps)
                .build();
    }
}
