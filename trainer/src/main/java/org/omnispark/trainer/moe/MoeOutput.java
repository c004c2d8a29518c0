package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;

/**
 * What {@link MoeFeedForward#forward} returns.
 *
 * @param output same shape as the input; 0 for padding tokens and for tokens whose every choice was dropped
 * @param auxLoss the Switch load-balancing loss (scalar; coefficient applied); under expert parallelism this rank's
 *     share of the whole batch's loss ({@link BatchStatistics})
 * @param zLoss the router z-loss (scalar; coefficient applied); a share likewise
 * @param routing the router's decisions (expert choices per token, for expert-usage analysis)
 * @param dispatched the dispatcher's bookkeeping (kept tokens per expert, dropped assignments); null when the layer
 *     ran every expert on every token ({@link EveryExpertMixture}), which drops nothing
 */
public record MoeOutput(
        NDArray output, NDArray auxLoss, NDArray zLoss, RoutingResult routing, DispatchedTokens dispatched) {

    /** @return auxLoss + zLoss, to add to the training loss */
    public NDArray totalAuxLoss() {
        return auxLoss.add(zLoss);
    }

    /** @return (token, choice) assignments per expert chosen by the router, before capacity dropping */
    public long[] tokensPerExpert() {
        return routing.tokensPerExpert();
    }

    /** @return valid assignments dropped by the capacity limit */
    public long droppedAssignments() {
        return dispatched == null ? 0 : dispatched.droppedAssignments();
    }
}
