package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.omnispark.trainer.moe.DenseFeedForward;
import org.omnispark.trainer.moe.ExpertWeights;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.GateWeight;
import org.omnispark.trainer.moe.GroupedExperts;
import org.omnispark.trainer.moe.LocalTokenDispatcher;
import org.omnispark.trainer.moe.MoeFeedForward;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.moe.MoeRouting;
import org.omnispark.trainer.moe.RouterSpec;
import org.omnispark.trainer.moe.SequentialExperts;
import org.omnispark.trainer.moe.Routers;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.parallel.ExpertPlacement;

/**
 * Makes the feed-forward blocks of an encoder stack, so that the same layer code holds dense, Switch or Omni-router
 * MoE feed-forwards.
 *
 * <p>{@code ffnIndex} counts the feed-forward blocks of the whole stack in order: a Conformer layer with macaron
 * style has two (index {@code 2 * layer} for the macaron FFN and {@code 2 * layer + 1} for the second), a Transformer
 * layer one. With {@link MoeRouting#perLayer} the routing plan therefore needs one gate per FFN block; with {@link
 * MoeRouting#shared} (Omni-router) every block uses the one gate.
 */
@FunctionalInterface
public interface FeedForwardFactory {

    /**
     * Creates one block.
     *
     * @param manager the model's long-lived manager
     * @param ffnIndex index of this block among the stack's feed-forward blocks
     * @param name parameter name prefix, e.g. {@code "encoder.layer3.ffn1"}
     * @param seed initialization seed
     * @return the block
     */
    FeedForwardModule create(NDManager manager, int ffnIndex, String name, long seed);

    /**
     * Dense blocks ({@link DenseFeedForward}).
     *
     * @param config d, ffn dim, activation (SWISH for Conformer, RELU for Transformer), data type
     * @return the factory
     */
    static FeedForwardFactory dense(FeedForwardSpec config) {
        return (manager, ffnIndex, name, seed) -> new Dense(DenseFeedForward.create(manager, config, name, seed));
    }

    /**
     * Mixture-of-Experts blocks ({@link MoeFeedForward} with a dropless local dispatcher).
     *
     * @param expertConfig the shape of one expert
     * @param routing shared gate (Omni-router) or one gate per FFN block (Switch / U2++ MoE)
     * @param routerSpec top-k, normalization, aux-loss coefficients, jitter; each block gets its own router (over
     *     its own or the shared gate)
     * @param grouped batched experts ({@link GroupedExperts}) instead of the sequential reference
     * @return the factory (dropless)
     */
    static FeedForwardFactory moe(
            FeedForwardSpec expertConfig, MoeRouting routing, RouterSpec routerSpec, boolean grouped) {
        return moe(expertConfig, routing, routerSpec, grouped, 0.0);
    }

    /**
     * As {@link #moe(FeedForwardSpec, MoeRouting, RouterSpec, boolean)} with a capacity factor: each expert
     * takes at most {@code ceil(capacityFactor * T * k / E)} assignments, the overflow rides the residual;
     * {@code capacityFactor <= 0} is dropless.
     */
    static FeedForwardFactory moe(FeedForwardSpec expertConfig, MoeRouting routing, RouterSpec routerSpec,
                                  boolean grouped, double capacityFactor) {
        return moe(expertConfig, routing, routerSpec, grouped, capacityFactor, ExpertParallelism.NONE, 0);
    }

    /**
     * As {@link #moe(FeedForwardSpec, MoeRouting, RouterSpec, boolean, double)} on one rank of an expert-parallel
     * job: each block holds only this rank's experts ({@link ExpertParallelism#placement}, initialized as in the
     * single-process model) and the parallelism's dispatcher moves tokens to them. While a block gets at most
     * {@code everyExpertMaxTokens} tokens and all experts are local, every expert runs on every token instead
     * ({@link MoeFeedForward.Builder#optEveryExpertMaxTokens}).
     */
    static FeedForwardFactory moe(FeedForwardSpec expertConfig, MoeRouting routing, RouterSpec routerSpec,
                                  boolean grouped, double capacityFactor, ExpertParallelism parallelism,
                                  long everyExpertMaxTokens) {
        return (manager, ffnIndex, name, seed) -> {
            GateWeight gate = routing.gateFor(ffnIndex);
            ExpertPlacement placement = parallelism.placement(gate.numExperts());
            ExpertWeights weights = ExpertWeights.createSlice(manager, expertConfig, gate.numExperts(),
                    placement.localExpertOffset(), placement.numLocalExperts(), name + ".experts", seed);
            MoeFeedForward layer = MoeFeedForward.builder()
                    .setRouter(Routers.create(gate, routerSpec))
                    .setExperts(grouped ? new GroupedExperts(weights) : new SequentialExperts(weights))
                    .optDispatcher(parallelism.dispatcher(name, gate.numExperts(), capacityFactor))
                    .optEveryExpertMaxTokens(everyExpertMaxTokens)
                    .build();
            return new Moe(layer);
        };
    }

    /** A dense block. */
    final class Dense implements FeedForwardModule {
        private final DenseFeedForward ffn;

        /** @param ffn the dense FFN */
        public Dense(DenseFeedForward ffn) {
            this.ffn = ffn;
        }

        @Override
        public FeedForwardOutput forward(NDArray x, boolean[] validMask, boolean training) {
            return new FeedForwardOutput(ffn.forward(x), null);
        }

        @Override
        public boolean isMoe() {
            return false;
        }

        /** @return the wrapped FFN (for loading weights) */
        public DenseFeedForward ffn() {
            return ffn;
        }

        @Override
        public List<ModelParameter> parameters() {
            return ffn.parameters();
        }
    }

    /** A Mixture-of-Experts block. */
    final class Moe implements FeedForwardModule {
        private final MoeFeedForward moe;

        /** @param moe the MoE layer */
        public Moe(MoeFeedForward moe) {
            this.moe = moe;
        }

        @Override
        public FeedForwardOutput forward(NDArray x, boolean[] validMask, boolean training) {
            MoeOutput out = moe.forward(x, validMask, training);
            return new FeedForwardOutput(out.output(), out);
        }

        @Override
        public boolean isMoe() {
            return true;
        }

        /** @return the wrapped MoE layer */
        public MoeFeedForward moe() {
            return moe;
        }

        @Override
        public List<ModelParameter> parameters() {
            return moe.parameters();
        }
    }
}
