package org.omnispark.trainer.config;

import static org.omnispark.trainer.config.ConfigChecks.range;

/**
 * {@code model_conf}: the hybrid CTC/attention loss, {@code loss = ctc_weight * ctc + (1 - ctc_weight) * att} with
 * {@code att = (1 - reverse_weight) * att_l2r + reverse_weight * att_r2l}.
 *
 * @param ctcWeight (0.3; 1.0 = CTC only, no decoder needed)
 * @param reverseWeight weight of the right-to-left decoder (0.3 for U2++; needs a bitransformer with r_num_blocks)
 * @param lsmWeight label smoothing of the attention loss (0.1)
 * @param lengthNormalizedLoss normalize the attention loss by tokens instead of utterances (false)
 */
public record HybridLossConf(Double ctcWeight, Double reverseWeight, Double lsmWeight, Boolean lengthNormalizedLoss) {

    /** Fills defaults and validates. */
    public HybridLossConf {
        ctcWeight = ctcWeight == null ? 0.3 : ctcWeight;
        reverseWeight = reverseWeight == null ? 0.0 : reverseWeight;
        lsmWeight = lsmWeight == null ? 0.1 : lsmWeight;
        lengthNormalizedLoss = lengthNormalizedLoss == null ? Boolean.FALSE : lengthNormalizedLoss;
        range("model_conf.ctc_weight", ctcWeight, 0, 1);
        range("model_conf.reverse_weight", reverseWeight, 0, 1);
        range("model_conf.lsm_weight", lsmWeight, 0, 0.99);
    }
}
