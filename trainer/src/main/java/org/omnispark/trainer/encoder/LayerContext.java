package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;

/**
 * The per-forward inputs that every layer of a stack shares.
 *
 * @param attentionMask boolean {@code [B, T or 1, Tk]} (true = may attend; Tk = cache + T), or null = attend to all
 * @param posEmb position encoding of the attended keys {@code [1, Tk, d]} (required for relative attention)
 * @param padMask boolean {@code [B, 1, T]} (true = real frame) for the convolution module, or null = all real
 * @param validMask B*T row-major flags for MoE routing (padding is not routed), or null = all real
 * @param training enables dropout and router jitter
 */
public record LayerContext(
        NDArray attentionMask, NDArray posEmb, NDArray padMask, boolean[] validMask, boolean training) {}
