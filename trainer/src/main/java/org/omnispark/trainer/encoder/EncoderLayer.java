package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.nn.ParameterOwner;

/** One block of an encoder stack ({@link ConformerEncoderLayer} or {@link TransformerEncoderLayer}). */
public interface EncoderLayer extends ParameterOwner {

    /**
     * Runs the layer.
     *
     * @param x {@code [B, T, d]}
     * @param context masks, position encoding and mode shared by the stack
     * @param attentionCache {@code [B, H, Tc, 2 dk]} from the previous chunk, or null
     * @param convolutionCache {@code [B, d, K-1]} from the previous chunk, or null
     * @return output, new caches and the MoE outputs of this layer
     */
    EncoderLayerOutput forward(NDArray x, LayerContext context, NDArray attentionCache, NDArray convolutionCache);

    /** @return the number of feed-forward blocks in this layer (2 for macaron Conformer, else 1) */
    int numFeedForwardBlocks();
}
