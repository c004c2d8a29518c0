package org.omnispark.trainer.metrics;

import java.util.Map;

/**
 * Word and character error counts over a set of utterances.
 *
 * @param words word counts summed over utterances
 * @param characters character counts (whitespace removed) summed over utterances
 * @param perUtteranceWords word counts per utterance id, in input order
 * @param perUtteranceCharacters character counts per utterance id, in input order
 */
public record ErrorRateReport(
        EditCounts words,
        EditCounts characters,
        Map<String, EditCounts> perUtteranceWords,
        Map<String, EditCounts> perUtteranceCharacters) {

    /** Copies the maps (keeping their order). */
    public ErrorRateReport {
        if (words == null || characters == null) {
            throw new IllegalArgumentException("words and characters counts are required");
        }
        perUtteranceWords = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perUtteranceWords));
        perUtteranceCharacters =
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perUtteranceCharacters));
    }

    /** @return the word error rate as a fraction */
    public double wer() {
        return words.errorRate();
    }

    /** @return the character error rate as a fraction */
    public double cer() {
        return characters.errorRate();
    }

    /** @return the number of utterances scored */
    public int utterances() {
        return perUtteranceWords.size();
    }

    @Override
    public String toString() {
        return String.format("%d utterances, WER %.2f%% [%s], CER %.2f%% [%s]", utterances(), 100 * wer(), words,
                100 * cer(), characters);
    }
}
