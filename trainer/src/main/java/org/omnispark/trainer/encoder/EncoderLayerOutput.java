package org.omnispark.trainer.encoder;

import org.omnispark.trainer.moe.MoeOutput;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What an {@link EncoderLayer} returns.
 *
 * @param output {@code [B, T, d]}
 * @param attentionCache keys and values of the attended frames {@code [B, H, Tc + T, 2 dk]}
 * @param convolutionCache the causal convolution's last K-1 inputs {@code [B, d, K-1]}, or null (no conv module, or
 *     non-causal)
 * @param moeOutputs the MoE blocks' outputs of this layer in order (aux losses, routing for expert-usage analysis);
 *     empty for dense layers
 */
public record EncoderLayerOutput(
        NDArray output, NDArray attentionCache, NDArray convolutionCache, List<MoeOutput> moeOutputs) {

    /** Copies the list. */
    public EncoderLayerOutput {
        moeOutputs = List.copyOf(moeOutputs);
    }
}
