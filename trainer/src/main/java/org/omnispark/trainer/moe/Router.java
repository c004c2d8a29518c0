package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.nn.ParameterOwner;

/** Decides which experts each token goes to and with which weight (Megatron-Core's Router). */
public interface Router extends ParameterOwner {

    /**
     * Routes tokens.
     *
     * @param hidden the layer's (normalized) input {@code [T, d]}
     * @param validMask true for real frames, false for padding, length T; null means all valid
     * @param training enables gate-input jitter
     * @return routing decisions, weights and auxiliary losses
     */
    RoutingResult route(NDArray hidden, boolean[] validMask, boolean training);

    /**
     * This rank's share of the router's losses over a batch that may span ranks: summed over the ranks, the shares
     * are the losses of the whole batch, so are their gradients. With {@code BatchStatistics.of(routing)} (one
     * process) they equal {@code routing.auxLoss()} and {@code routing.zLoss()}.
     *
     * @param routing this rank's routing
     * @param batch the counts over the whole batch (all ranks)
     * @return the load-balancing loss and z-loss shares (scalars, coefficients applied)
     */
    Losses losses(RoutingResult routing, BatchStatistics batch);

    /**
     * A router's losses.
     *
     * @param auxLoss the load-balancing loss (scalar)
     * @param zLoss the z-loss (scalar)
     */
    record Losses(NDArray auxLoss, NDArray zLoss) {}

    /** @return the number of experts E */
    int numExperts();

    /** @return the number of experts per token k */
    int topK();
}
