package org.omnispark.trainer.loop;

/**
 * What one validation pass measured.
 *
 * @param step the update after which it ran
 * @param loss the mean total loss per batch
 * @param cer character error rate of CTC greedy decoding, a fraction
 * @param wer word error rate of CTC greedy decoding, a fraction
 * @param utterances utterances scored
 */
public record ValidationResult(long step, double loss, double cer, double wer, int utterances) {}
