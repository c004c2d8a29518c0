package org.omnispark.trainer.metrics;

/**
 * A transcript of one utterance: reference or hypothesis text with its utterance id.
 *
 * @param utteranceId the id, without whitespace or parentheses (sclite's trn format puts it in parentheses)
 * @param text the words separated by single or multiple spaces; may be empty
 */
public record Transcript(String utteranceId, String text) {

    /** Validates the id and normalizes a null text to "". */
    public Transcript {
        if (utteranceId == null || utteranceId.isEmpty() || utteranceId.chars().anyMatch(
                c -> Character.isWhitespace(c) || c == '(' || c == ')')) {
            throw new IllegalArgumentException("Utterance id '" + utteranceId + "' must be non-empty without "
                    + "whitespace or parentheses; sclite's trn format reads it from '(id)' at the end of the line");
        }
        text = text == null ? "" : text;
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("Transcript " + utteranceId + " contains a line break; join lines with "
                    + "spaces first");
        }
    }
}
