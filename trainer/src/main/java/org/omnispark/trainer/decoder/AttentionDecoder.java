package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * An attention decoder over encoder output (U2++): teacher-forced scores of label sequences, used for the
 * attention loss in training and for rescoring CTC n-best lists at inference.
 */
public interface AttentionDecoder extends ParameterOwner {

    /**
     * Runs the decoder with teacher forcing.
     *
     * @param memory encoder output {@code [B, T, d]}
     * @param memoryLengths valid frames {@code [B]} (integer)
     * @param ysIn decoder input {@code [B, L]}: sos + labels, padded with eos ({@link TargetPreparation})
     * @param ysInLengths {@code [B]}: labels + 1
     * @param reverseYsIn right-to-left input {@code [B, L]} (sos + reversed labels), or null for a left-to-right
     *     decoder or when the reverse branch is not wanted
     * @param training enables dropout and router jitter
     * @return logits {@code [B, L, V]} (and reverse logits for a bidirectional decoder given reverseYsIn)
     */
    DecoderOutput forward(
            NDArray memory, NDArray memoryLengths, NDArray ysIn, NDArray ysInLengths, NDArray reverseYsIn,
            boolean training);

    /** @return V, the output vocabulary size (sos/eos included) */
    int vocabSize();

    /** @return true if {@link #forward} can return reverse logits */
    boolean isBidirectional();
}
