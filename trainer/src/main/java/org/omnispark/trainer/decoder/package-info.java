/**
 * U2++ attention decoders and their losses: {@link org.omnispark.trainer.decoder.TransformerDecoder} (embedding,
 * positional encoding, pre-LN {@link org.omnispark.trainer.decoder.DecoderLayer}s with causal self-attention,
 * cross-attention on the encoder output and a dense or MoE feed-forward, output LayerNorm and projection to V), {@link
 * org.omnispark.trainer.decoder.BiTransformerDecoder} (left-to-right + right-to-left), WeNet's target preparation
 * ({@link org.omnispark.trainer.decoder.TargetPreparation}), {@link
 * org.omnispark.trainer.decoder.LabelSmoothingLoss} and the hybrid CTC/attention loss ({@link
 * org.omnispark.trainer.decoder.HybridLoss}).
 *
 * <p>Layers follow the module convention of {@code org.omnispark.trainer.moe}; attention and feed-forward blocks are
 * the encoder's ({@code org.omnispark.trainer.encoder.MultiHeadedAttention}, {@code FeedForwardFactory}), so the
 * decoder's FFNs are dense or MoE exactly like the encoder's (U2++ MoE replaces every FFN, decoder included).
 */
package org.omnispark.trainer.decoder;
