package org.omnispark.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SentenceGrammarTest {
    private final SentenceGrammar grammar = SentenceGrammar.english();

    @Test
    void numbersAreSpelledOut() {
        assertEquals("zero", NumberWords.toWords(0));
        assertEquals("thirteen", NumberWords.toWords(13));
        assertEquals("forty two", NumberWords.toWords(42));
        assertEquals("three hundred five", NumberWords.toWords(305));
        assertEquals("one hundred", NumberWords.toWords(100));
        assertEquals("twelve thousand nineteen", NumberWords.toWords(12019));
        assertEquals("nine hundred ninety nine thousand nine hundred ninety nine", NumberWords.toWords(999_999));
        assertThrows(IllegalArgumentException.class, () -> NumberWords.toWords(1_000_000));
    }

    @Test
    void sameSeedSameSentencesOtherSeedOtherSentences() {
        List<String> a = draw(7, 50);
        List<String> b = draw(7, 50);
        List<String> c = draw(8, 50);
        assertEquals(a, b, "seed 7 twice");
        assertNotEquals(a, c, "seed 7 vs seed 8");
    }

    @Test
    void sentencesAreInRangeVariedAndUseOnlyTheVocabulary() {
        Set<String> vocab = new HashSet<>(grammar.vocabulary());
        assertTrue(vocab.size() >= 300, "a few hundred words expected, got " + vocab.size());
        SplittableRandom rng = new SplittableRandom(1);
        Set<String> distinct = new HashSet<>();
        int questions = 0;
        int minWords = Integer.MAX_VALUE;
        int maxWords = 0;
        for (int i = 0; i < 2000; i++) {
            Sentence s = grammar.generate(rng);
            minWords = Math.min(minWords, s.wordCount());
            maxWords = Math.max(maxWords, s.wordCount());
            for (String w : s.words()) {
                assertTrue(vocab.contains(w), "word '" + w + "' of '" + s.text() + "' not in vocabulary()");
            }
            distinct.add(s.text());
            questions += s.question() ? 1 : 0;
            assertEquals(s.text() + (s.question() ? "?" : "."), s.spokenText());
        }
        assertTrue(minWords >= SentenceGrammar.MIN_WORDS && maxWords <= SentenceGrammar.MAX_WORDS,
            "lengths " + minWords + ".." + maxWords);
        assertTrue(minWords <= 4 && maxWords >= 12, "lengths should span the range, got " + minWords + ".."
            + maxWords);
        assertTrue(distinct.size() >= 1950, "2000 draws gave only " + distinct.size() + " distinct sentences");
        assertTrue(questions > 200 && questions < 1000, "questions: " + questions + " of 2000");
    }

    @Test
    void heldoutSentencesNeverAppearInTrain() {
        SplittableRandom rng = new SplittableRandom(3);
        Set<String> heldout = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            Sentence s = grammar.generate(rng, Split.HELDOUT);
            assertEquals(Split.HELDOUT, grammar.splitOf(s.text()));
            heldout.add(s.text());
        }
        for (int i = 0; i < 3000; i++) {
            String t = grammar.generate(rng, Split.TRAIN).text();
            assertTrue(!heldout.contains(t), "train drew heldout sentence '" + t + "'");
        }
    }

    @Test
    void heldoutShareOfAllSentencesIsTheFraction() {
        // 5000 independent draws; binomial sd of the share = sqrt(0.1 * 0.9 / 5000) = 0.0042; allow 5 sd.
        SplittableRandom rng = new SplittableRandom(11);
        int held = 0;
        for (int i = 0; i < 5000; i++) {
            held += grammar.splitOf(grammar.generate(rng).text()) == Split.HELDOUT ? 1 : 0;
        }
        double share = held / 5000.0;
        assertEquals(0.1, share, 0.021, "heldout share " + share);
    }

    @Test
    void sentenceRejectsNonWords() {
        assertThrows(IllegalArgumentException.class, () -> new Sentence(List.of("Hello"), false));
        assertThrows(IllegalArgumentException.class, () -> new Sentence(List.of("42"), false));
        assertThrows(IllegalArgumentException.class, () -> new Sentence(List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> SentenceGrammar.english(1.0));
    }

    private List<String> draw(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(grammar.generate(rng).text());
        }
        return out;
    }
}
