/**
 * The encoder side of the U2++ / Omni-router models, WeNet-style, one file per component.
 *
 * <ul>
 *   <li>Front end: {@link org.omnispark.trainer.encoder.GlobalCmvn}, {@link
 *       org.omnispark.trainer.encoder.SpecAugment}, {@link org.omnispark.trainer.encoder.Conv2dSubsampling} (4x, 6x,
 *       8x, with the positional encoding).
 *   <li>Blocks: {@link org.omnispark.trainer.encoder.MultiHeadedAttention}, {@link
 *       org.omnispark.trainer.encoder.RelPositionMultiHeadedAttention}, {@link
 *       org.omnispark.trainer.encoder.ConvolutionModule}, pluggable feed-forwards ({@link
 *       org.omnispark.trainer.encoder.FeedForwardFactory}: dense, Switch or Omni-router MoE from {@code
 *       org.omnispark.trainer.moe}).
 *   <li>Layers: {@link org.omnispark.trainer.encoder.ConformerEncoderLayer}, {@link
 *       org.omnispark.trainer.encoder.TransformerEncoderLayer}; each returns its output, its new streaming caches and
 *       its MoE outputs (aux losses, routing decisions).
 *   <li>Stacks: {@link org.omnispark.trainer.encoder.ConformerEncoder}, {@link
 *       org.omnispark.trainer.encoder.TransformerEncoder} ({@link org.omnispark.trainer.encoder.BaseEncoder#create}),
 *       with full-context, static-chunk and dynamic-chunk masks ({@link org.omnispark.trainer.encoder.ChunkMasks})
 *       and streaming ({@code forwardChunk}, {@code forwardChunkByChunk}).
 * </ul>
 *
 * Shapes: B batch, T frames (T' after subsampling), F feature bins, d model dimension, H heads, dk = d / H, L layers,
 * K depthwise kernel. Masks are boolean with true = real frame / may attend. The module convention of {@code
 * org.omnispark.trainer.moe}'s package documentation applies (plain layer objects, input-major linear weights,
 * temporaries in the input's manager).
 */
package org.omnispark.trainer.encoder;
