package org.omnispark.trainer.config;

import static org.omnispark.trainer.config.ConfigChecks.require;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code spec_aug}: SpecAugment masks on the fbank features (WeNet's defaults). All zero disables it.
 *
 * @param numTMask time masks per utterance (2)
 * @param numFMask frequency masks per utterance (2)
 * @param maxT longest time mask in frames (50)
 * @param maxF widest frequency mask in bins (10)
 */
public record SpecAugConf(@JsonProperty("num_t_mask") Integer numTMask,
        @JsonProperty("num_f_mask") Integer numFMask, Integer maxT, Integer maxF) {
    // snake_case naming would give num_tmask; the explicit names keep WeNet's keys

    /** Fills defaults and validates. */
    public SpecAugConf {
        numTMask = numTMask == null ? 2 : numTMask;
        numFMask = numFMask == null ? 2 : numFMask;
        maxT = maxT == null ? 50 : maxT;
        maxF = maxF == null ? 10 : maxF;
        require(numTMask >= 0 && numFMask >= 0 && maxT >= 0 && maxF >= 0,
                "spec_aug.num_t_mask, num_f_mask, max_t and max_f must be >= 0");
    }
}
