package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;

/**
 * What an {@link AttentionDecoder} returns.
 *
 * @param logits left-to-right output logits {@code [B, L, V]} (before softmax)
 * @param reverseLogits right-to-left output logits {@code [B, L, V]}, or null
 * @param auxLoss the sum of the MoE feed-forward blocks' auxiliary losses (scalar), or null without MoE blocks
 */
public record DecoderOutput(NDArray logits, NDArray reverseLogits, NDArray auxLoss) {

    /** Validates. */
    public DecoderOutput {
        if (logits == null) {
            throw new IllegalArgumentException("A decoder output needs its logits");
        }
    }
}
