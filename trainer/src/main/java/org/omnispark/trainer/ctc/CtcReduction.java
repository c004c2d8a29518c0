package org.omnispark.trainer.ctc;

/** How {@link CtcLoss} reduces the per-utterance negative log-likelihoods {@code nll [B]} to one number. */
public enum CtcReduction {
    /** {@code sum(nll) / B}: WeNet's CTC loss (PyTorch's reduction "sum" divided by the batch size). */
    SUM_OVER_BATCH,
    /** {@code sum(nll)}. */
    SUM,
    /** {@code mean(nll[b] / max(targetLength[b], 1))}: PyTorch's reduction "mean". */
    MEAN_OVER_TARGET_LENGTH,
    /** No reduction: the per-utterance values {@code [B]}. */
    NONE
}
