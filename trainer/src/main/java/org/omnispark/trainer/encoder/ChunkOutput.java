package org.omnispark.trainer.encoder;

import org.omnispark.trainer.moe.MoeOutput;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What {@link BaseEncoder#forwardChunk} returns; pass the caches to the next call.
 *
 * @param output {@code [B, T', d]} for this chunk
 * @param attentionCache {@code [L, B, H, Tc', 2 dk]}: keys and values kept for the next chunk
 * @param convolutionCache {@code [L, B, d, K-1]} (causal Conformer), or null (Transformer / no conv module)
 * @param moeOutputs MoE blocks' outputs of this chunk
 */
public record ChunkOutput(
        NDArray output, NDArray attentionCache, NDArray convolutionCache, List<MoeOutput> moeOutputs) {

    /** Copies the list. */
    public ChunkOutput {
        moeOutputs = List.copyOf(moeOutputs);
    }
}
