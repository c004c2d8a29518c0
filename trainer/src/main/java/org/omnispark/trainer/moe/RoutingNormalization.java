package org.omnispark.trainer.moe;

/** How the router turns the logits of the selected experts into combine weights. */
public enum RoutingNormalization {
    /**
     * Switch / Omni-router: probs = softmax over all E logits, weight = prob of each selected expert (optionally
     * renormalized over the k selected, see {@link RouterSpec#renormalize()}).
     */
    SOFTMAX_THEN_TOPK,
    /** WeNet U2++ MoE: softmax over the k selected logits only (for k = 1 the weight is exactly 1). */
    TOPK_THEN_SOFTMAX
}
