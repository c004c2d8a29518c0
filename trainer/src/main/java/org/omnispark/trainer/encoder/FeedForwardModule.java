package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * A position-wise feed-forward block inside an encoder layer: dense or Mixture-of-Experts. Made by a {@link
 * FeedForwardFactory}; the layer adds the residual.
 */
public interface FeedForwardModule extends ParameterOwner {

    /**
     * Runs the block.
     *
     * @param x the normalized input {@code [B, T, d]}
     * @param validMask B*T row-major flags, true for real frames (padding takes no part in MoE routing); null = all
     *     real
     * @param training enables router jitter (MoE)
     * @return output {@code [B, T, d]} and, for MoE, the router's losses and decisions
     */
    FeedForwardOutput forward(NDArray x, boolean[] validMask, boolean training);

    /** @return true for a Mixture-of-Experts block */
    boolean isMoe();
}
