/**
 * U2++ decoding on encoder output: CTC greedy search ({@link org.omnispark.trainer.search.CtcGreedySearch}), CTC
 * prefix beam search ({@link org.omnispark.trainer.search.CtcPrefixBeamSearch}) and attention rescoring of the
 * prefix beam's n-best list with a (bidirectional) attention decoder ({@link
 * org.omnispark.trainer.search.AttentionRescoring}); {@link org.omnispark.trainer.search.U2Decoding} ties them to a
 * {@link org.omnispark.trainer.ctc.CtcHead} so callers pass encoder output {@code [B, T, d]} and lengths.
 *
 * <p>Searches run on the host over log-probabilities copied once per batch; scores are natural-log probabilities.
 */
package org.omnispark.trainer.search;
