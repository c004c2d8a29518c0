package org.omnispark.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LabelCorruptionTest {
    private final SentenceGrammar grammar = SentenceGrammar.english();
    private final List<String> vocab = grammar.vocabulary();

    @Test
    void substituteChangesThirtyPercentOfWords() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            Sentence s = grammar.generate(rng);
            String[] out = LabelCorruption.SUBSTITUTE.apply(s, vocab, rng).split(" ");
            assertEquals(s.wordCount(), out.length, "same length");
            int changed = 0;
            for (int w = 0; w < out.length; w++) {
                changed += out[w].equals(s.words().get(w)) ? 0 : 1;
                assertTrue(vocab.contains(out[w]), "substitutes come from the vocabulary: " + out[w]);
            }
            // max(1, round(0.3 * n)): e.g. n = 8 -> round(2.4) = 2
            assertEquals(Math.max(1, Math.round(0.3 * s.wordCount())), changed, "changed words of " + s.text());
        }
    }

    @Test
    void deleteRemovesWordsButNeverAll() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < 200; i++) {
            Sentence s = grammar.generate(rng);
            String out = LabelCorruption.DELETE.apply(s, vocab, rng);
            int expected = s.wordCount() - (int) Math.max(1, Math.round(0.3 * s.wordCount()));
            assertEquals(expected, out.split(" ").length, "'" + out + "' from '" + s.text() + "'");
            assertTrue(expected >= 1);
        }
    }

    @Test
    void junkIsNotASentenceAndNoneIsIdentity() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 100; i++) {
            Sentence s = grammar.generate(rng);
            String junk = LabelCorruption.JUNK.apply(s, vocab, rng);
            assertNotEquals(s.text(), junk);
            String[] tokens = junk.split(" ");
            assertTrue(tokens.length >= 3, junk);
            long inVocab = java.util.Arrays.stream(tokens).filter(vocab::contains).count();
            assertEquals(0, inVocab, "junk tokens must not be vocabulary words: " + junk);
            assertEquals(s.text(), LabelCorruption.NONE.apply(s, vocab, rng));
        }
    }
}
