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

    /** @return the number of experts E */
    int numExperts();

    /** @return the number of experts per token k */
    int topK();
}
