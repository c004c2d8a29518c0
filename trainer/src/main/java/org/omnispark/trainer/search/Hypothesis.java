package org.omnispark.trainer.search;

import java.util.List;

/**
 * A decoded label sequence with its score.
 *
 * @param tokens label ids (no blank, sos or eos)
 * @param score log-probability: of the best path (greedy), of the prefix summed over its paths (prefix beam search),
 *     or the combined rescoring score (attention rescoring)
 * @param ctcScore the CTC log-probability the search assigned (equals score for the CTC searches)
 */
public record Hypothesis(List<Integer> tokens, double score, double ctcScore) {

    /** Copies the tokens. */
    public Hypothesis {
        tokens = List.copyOf(tokens);
    }

    /** @return the tokens as an array */
    public int[] tokenArray() {
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }
}
