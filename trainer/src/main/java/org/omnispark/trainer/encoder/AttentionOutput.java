package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;

/**
 * What a self-attention layer returns.
 *
 * @param output {@code [B, T1, d]}
 * @param newCache keys and values of every attended frame (old cache + this call), {@code [B, H, Tc + T2, 2 * dk]}
 *     with keys in {@code [..., :dk]} and values in {@code [..., dk:]} (WeNet's layout)
 */
public record AttentionOutput(NDArray output, NDArray newCache) {}
