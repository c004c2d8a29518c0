package org.omnispark.data.synth;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A generated sentence: lower-case words (letters only) and whether it is a question.
 *
 * @param words the words, 1 or more, each matching {@code [a-z]+}
 * @param question true for a question (spoken with a question mark, so espeak-ng raises the intonation)
 */
public record Sentence(List<String> words, boolean question) {
    private static final Pattern WORD = Pattern.compile("[a-z]+");

    public Sentence {
        words = List.copyOf(words);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a sentence needs at least one word");
        }
        for (String w : words) {
            if (!WORD.matcher(w).matches()) {
                throw new IllegalArgumentException("word '" + w + "' is not lower-case letters only; spell "
                    + "numbers and symbols out before building a Sentence");
            }
        }
    }

    /** The normalized transcript: words joined by single spaces, no punctuation (what the manifest carries). */
    public String text() {
        return String.join(" ", words);
    }

    /** What espeak-ng is given: the transcript with a final '?' or '.' for the intonation. */
    public String spokenText() {
        return text() + (question ? "?" : ".");
    }

    /** Number of words. */
    public int wordCount() {
        return words.size();
    }
}
