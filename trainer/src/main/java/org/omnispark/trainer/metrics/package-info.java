/**
 * Scoring of recognition output: word and character error rates with substitution / deletion / insertion counts
 * ({@link org.omnispark.trainer.metrics.ErrorRateCalculator}, {@link org.omnispark.trainer.metrics.EditCounts}),
 * NIST sclite transcript files ({@link org.omnispark.trainer.metrics.TrnFile}) so that results can be re-scored
 * with the standard tool, and the real-time factor ({@link org.omnispark.trainer.metrics.RealTimeFactor}).
 *
 * <p>The default alignment uses sclite's weights (substitution 4, deletion 3, insertion 3; among equally cheap
 * alignments the one with most substitutions), so the S/D/I counts agree with {@code sclite}; the WER is
 * {@code (S + D + I) / N} with N the number of reference words.
 */
package org.omnispark.trainer.metrics;
