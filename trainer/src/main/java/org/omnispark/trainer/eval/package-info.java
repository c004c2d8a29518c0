/**
 * Decoding a prepared dataset with a trained model ({@link org.omnispark.trainer.eval.Evaluator}): CTC greedy, CTC
 * prefix beam search, attention rescoring and streaming (chunk by chunk with caches, then CTC greedy), each scored with
 * sclite's rules and written as sclite trn files plus a {@code report.json} with WER, CER, S/D/I/N and real-time
 * factor per mode, and the encoder's expert-routing statistics for MoE models.
 */
package org.omnispark.trainer.eval;
