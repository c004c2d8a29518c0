package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;

/**
 * Decoder inputs and outputs made from label sequences by {@link TargetPreparation} (all INT64, B utterances, L the
 * longest label sequence + 1).
 *
 * @param ysIn {@code [B, L]}: sos + labels, padded with eos
 * @param ysOut {@code [B, L]}: labels + eos, padded with ignoreId
 * @param ysInLengths {@code [B]}: labels + 1
 * @param reverseYsIn {@code [B, L]}: sos + reversed labels, padded with eos
 * @param reverseYsOut {@code [B, L]}: reversed labels + eos, padded with ignoreId
 */
public record PreparedTargets(
        NDArray ysIn, NDArray ysOut, NDArray ysInLengths, NDArray reverseYsIn, NDArray reverseYsOut) {}
