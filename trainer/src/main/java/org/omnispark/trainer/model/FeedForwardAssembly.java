package org.omnispark.trainer.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.config.FfnConf;
import org.omnispark.trainer.encoder.FeedForwardFactory;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.moe.GateWeight;
import org.omnispark.trainer.moe.MoeRouting;
import org.omnispark.trainer.parallel.ExpertParallelism;

/**
 * Turns a stack's {@code ffn} config into its feed-forward blocks for {@link U2Model}: the gates (none for dense, one
 * per block for Switch, ONE shared for Omni-router) and the factory that builds each block (dense FFN or MoE layer
 * with its router, dispatcher and experts).
 */
final class FeedForwardAssembly {

    private FeedForwardAssembly() {}

    /** Gates of one stack: none (dense), one per FFN block (switch) or one shared (omni). Names are unique. */
    static MoeRouting routing(NDManager m, String stack, FfnConf ffn, int blocks, int d, DataType dataType,
            long seed) {
        if (!ffn.isMoe() || blocks == 0) {
            return null;
        }
        if (ffn.sharedRouter()) {
            return MoeRouting.shared(GateWeight.create(m, stack + ".router.gate", d, ffn.numExperts(), dataType, seed));
        }
        List<GateWeight> gates = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            gates.add(GateWeight.create(m, stack + ".ffn" + i + ".router.gate", d, ffn.numExperts(), dataType,
                    seed + i));
        }
        return MoeRouting.perLayer(gates);
    }

    static FeedForwardFactory feedForward(FfnConf ffn, MoeRouting routing, int d, int units,
            FfnActivation activation, DataType dataType, ExpertParallelism parallelism) {
        FeedForwardSpec expert = FeedForwardSpec.builder().setModelDim(d).setFfnDim(units)
                .optActivation(activation).optDataType(dataType).build();
        if (routing == null) {
            return FeedForwardFactory.dense(expert);
        }
        // capacity_factor 0 (the default, as in U2++ and Omni-router) is dropless.
        return FeedForwardFactory.moe(expert, routing, ffn.toRouterSpec(), ffn.groupedGemm(),
                ffn.capacityFactor(), parallelism, ffn.everyExpertMaxTokens(d, units));
    }

    static FfnActivation activation(String name) {
        return switch (name) {
            case "relu" -> FfnActivation.RELU;
            case "gelu" -> FfnActivation.GELU;
            default -> FfnActivation.SWISH;
        };
    }
}
