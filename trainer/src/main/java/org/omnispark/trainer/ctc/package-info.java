/**
 * Connectionist Temporal Classification for the trainer: {@link org.omnispark.trainer.ctc.CtcLoss} (libtorch's own
 * {@code ctc_loss} kernels, reached through a bundled TorchScript module because DJL exposes none) and {@link
 * org.omnispark.trainer.ctc.CtcHead} (the projection {@code Linear(d, V)} + log-softmax on top of the encoder).
 *
 * <p>Conventions (WeNet): label 0 is the blank, log-probabilities are laid out {@code [T, B, V]} for the loss and
 * {@code [B, T, V]} elsewhere, the training loss is the sum of the per-utterance negative log-likelihoods divided by
 * the batch size, and impossible alignments (an input shorter than its target needs) count as zero loss.
 * Layers follow the module convention written down in {@code org.omnispark.trainer.moe}.
 */
package org.omnispark.trainer.ctc;
