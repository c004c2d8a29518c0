package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.nn.ParameterOwner;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * A Mixture-of-Experts feed-forward layer: {@link Router} + {@link TokenDispatcher} + {@link Experts}.
 *
 * <pre>
 *   hidden [B, T, d] or [T, d]  -- flattened to [T', d]
 *   routing   = router.route(hidden, validMask)          -- top-k experts, weights [T', k], aux losses
 *   dispatched = dispatcher.dispatch(hidden, routing)    -- [N, d] sorted by expert
 *   y          = experts.forward(dispatched)             -- [N, d]
 *   output     = dispatcher.combine(y, dispatched)       -- [T', d] = sum_j weight[t, j] * expert_j(hidden[t])
 * </pre>
 *
 * At inference with few tokens ({@code T' <= everyExpertMaxTokens}, no autograd, all experts local, nothing dropped)
 * the last three lines are one call instead: {@link EveryExpertMixture}, every expert on every token, mixed by the
 * routing weights.
 *
 * Omni-router: give every layer's {@link TopKRouter} the same {@link GateWeight} ({@link MoeRouting#shared}); Switch:
 * one gate per layer. The layer does not add the residual; callers do.
 */
public final class MoeFeedForward implements ParameterOwner {

    private final Router router;
    private final TokenDispatcher dispatcher;
    private final Experts experts;
    private final long everyExpertMaxTokens;

    private MoeFeedForward(Builder builder) {
        this.router = builder.router;
        this.dispatcher = builder.dispatcher;
        this.experts = builder.experts;
        this.everyExpertMaxTokens = builder.everyExpertMaxTokens;
    }

    /** @return a builder; setRouter and setExperts are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the layer.
     *
     * @param hidden the (normalized) input {@code [B, T, d]} or {@code [T, d]}
     * @param validMask {@code [B, T]} or {@code [T]}, nonzero for real frames and 0 for padding; null = all valid
     * @param training enables gate-input jitter
     * @return output of the input's shape, aux losses and routing statistics
     */
    public MoeOutput forward(NDArray hidden, NDArray validMask, boolean training) {
        boolean[] mask = null;
        if (validMask != null) {
            Shape leading = hidden.getShape().slice(0, hidden.getShape().dimension() - 1);
            if (!validMask.getShape().equals(leading)) {
                throw new IllegalArgumentException("validMask must have shape " + leading + " (the input's shape"
                        + " without d), got " + validMask.getShape());
            }
            float[] values = HostSyncs.floats(validMask, HostSyncs.Kind.VALID_MASK);
            mask = new boolean[values.length];
            for (int i = 0; i < values.length; i++) {
                mask[i] = values[i] > 0.5f;
            }
        }
        return forward(hidden, mask, training);
    }

    /**
     * Runs the layer with a host-side mask.
     *
     * @param hidden {@code [B, T, d]} or {@code [T, d]}
     * @param validMask B*T (row-major) flags, true for real frames; null = all valid
     * @param training enables gate-input jitter
     * @return output of the input's shape, aux losses and routing statistics
     */
    public MoeOutput forward(NDArray hidden, boolean[] validMask, boolean training) {
        Shape shape = hidden.getShape();
        long d = shape.get(shape.dimension() - 1);
        // Under a StagedBackward (expert parallelism) the router and the dispatch both read a cut of the input, so
        // its gradient is complete before it flows further back (see StagedBackward).
        NDArray flat = StagedBackward.cut(shape.dimension() == 2 ? hidden : hidden.reshape(-1, d)); // [T', d]
        RoutingResult routing = router.route(flat, validMask, training);
        if (runsEveryExpert(routing)) { // few tokens: one libtorch call instead of dispatch + experts + combine
            NDArray mixed = EveryExpertMixture.forward(flat, routing, experts.weights()); // [T', d]
            return new MoeOutput(shape.dimension() == 2 ? mixed : mixed.reshape(shape), routing.auxLoss(),
                    routing.zLoss(), routing, null);
        }
        DispatchedTokens dispatched = dispatcher.dispatch(flat, routing);
        NDArray expertOutput = experts.forward(dispatched.permutedTokens(), dispatched.tokensPerLocalExpert());
        NDArray combined = dispatcher.combine(expertOutput, dispatched); // [T', d]
        NDArray output = shape.dimension() == 2 ? combined : combined.reshape(shape);
        BatchStatistics batch = dispatched.batchStatistics();
        boolean wholeBatch = batch.numValidTokens() == routing.numValidTokens()
                && java.util.Arrays.equals(batch.tokensPerExpert(), routing.tokensPerExpert());
        Router.Losses losses = wholeBatch
                ? new Router.Losses(routing.auxLoss(), routing.zLoss()) // this rank's tokens are the whole batch
                : router.losses(routing, batch);
        return new MoeOutput(output, losses.auxLoss(), losses.zLoss(), routing, dispatched);
    }

    /**
     * Whether these tokens take the {@link EveryExpertMixture} path: no autograd is recording (inference: training
     * keeps the dispatched path, so one process computes in the same order as expert-parallel ranks, whose equivalence
     * tests compare to 2e-5), all experts are local (a {@link LocalTokenDispatcher}), {@code T <=
     * everyExpertMaxTokens}, and the capacity limit drops nothing (so both paths compute the same function).
     */
    private boolean runsEveryExpert(RoutingResult routing) {
        if (!(dispatcher instanceof LocalTokenDispatcher local)
                || routing.numTokens() > everyExpertMaxTokens || JniUtils.isGradMode()) {
            return false;
        }
        long capacity = local.capacity(routing.numValidTokens(), routing.topK(), routing.numExperts());
        for (long n : routing.tokensPerExpert()) {
            if (n > capacity) {
                return false;
            }
        }
        return true;
    }

    /** @return the most tokens {@link EveryExpertMixture} takes (0: never) */
    public long everyExpertMaxTokens() {
        return everyExpertMaxTokens;
    }

    /** @return the router */
    public Router router() {
        return router;
    }

    /** @return the dispatcher */
    public TokenDispatcher dispatcher() {
        return dispatcher;
    }

    /** @return the experts */
    public Experts experts() {
        return experts;
    }

    /**
     * Returns router then expert parameters. A shared gate appears here in every layer; collect a stack's parameters
     * with {@link ParameterCollector#unique} to count it once.
     */
    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>(router.parameters());
        list.addAll(experts.parameters());
        return Collections.unmodifiableList(list);
    }

    /** Builder of {@link MoeFeedForward}. */
    public static final class Builder {
        private Router router;
        private TokenDispatcher dispatcher = LocalTokenDispatcher.dropless();
        private Experts experts;
        private long everyExpertMaxTokens;

        /** @param router e.g. {@code new TopKRouter(gate, routerSpec)} @return this */
        public Builder setRouter(Router router) {
            this.router = router;
            return this;
        }

        /** @param experts {@link SequentialExperts} or {@link GroupedExperts} @return this */
        public Builder setExperts(Experts experts) {
            this.experts = experts;
            return this;
        }

        /** @param dispatcher default dropless {@link LocalTokenDispatcher} @return this */
        public Builder optDispatcher(TokenDispatcher dispatcher) {
            this.dispatcher = dispatcher;
            return this;
        }

        /**
         * At inference (no autograd recording), runs every expert on every token ({@link EveryExpertMixture}) while
         * the layer gets at most this many tokens (T, padding included); more tokens, or training, take the dispatched
         * path. Default 0: always dispatched. The model configs
         * set the crossover measured on CPU ({@code ffn.every_expert_max_tokens}).
         *
         * @param maxTokens {@code >= 0}
         * @return this
         */
        public Builder optEveryExpertMaxTokens(long maxTokens) {
            if (maxTokens < 0) {
                throw new IllegalArgumentException("everyExpertMaxTokens must be >= 0 (0 = never), got " + maxTokens);
            }
            this.everyExpertMaxTokens = maxTokens;
            return this;
        }

        /** @return the layer */
        public MoeFeedForward build() {
            if (router == null || experts == null || dispatcher == null) {
                throw new IllegalStateException("MoeFeedForward needs setRouter(...) and setExperts(...)");
            }
            if (dispatcher instanceof LocalTokenDispatcher && experts.numLocalExperts() != router.numExperts()) {
                throw new IllegalStateException("A LocalTokenDispatcher needs all " + router.numExperts()
                        + " experts local, but the experts hold " + experts.numLocalExperts()
                        + "; use a distributed dispatcher for an expert slice");
            }
            if (experts.weights().config().modelDim() != routerModelDim()) {
                throw new IllegalStateException("Router and experts disagree on d: " + routerModelDim() + " vs "
                        + experts.weights().config().modelDim());
            }
            return new MoeFeedForward(this);
        }

        private int routerModelDim() {
            return router instanceof TopKRouter ? ((TopKRouter) router).gate().modelDim()
                    : experts.weights().config().modelDim();
        }
    }
}
