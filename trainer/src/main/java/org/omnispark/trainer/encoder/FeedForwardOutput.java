package org.omnispark.trainer.encoder;

import org.omnispark.trainer.moe.MoeOutput;

import ai.djl.ndarray.NDArray;

/**
 * What a {@link FeedForwardModule} returns.
 *
 * @param output {@code [B, T, d]}
 * @param moe the MoE layer's output with aux losses and routing statistics, or null for a dense block
 */
public record FeedForwardOutput(NDArray output, MoeOutput moe) {

    /** Validates. */
    public FeedForwardOutput {
        if (output == null) {
            throw new IllegalArgumentException("A feed-forward output needs its output tensor");
        }
    }
}
