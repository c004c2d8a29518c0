package org.omnispark.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    private static final List<String> CORPUS = TextResources.lines("spm_corpus.txt");

    @Test
    void handComputedMerges() {
        // words: "▁ab" x3, "▁abc" x1. Pair counts: (▁,a)=4 (a,b)=4 (b,c)=1. Tie at 4 -> smaller merged string:
        // "ab" (U+0061...) < "▁a" (U+2581...), so merge 1 = "ab"; then (▁,ab)=4 -> "▁ab"; then (▁ab,c)=1 -> "▁abc".
        // vocab 10 = 3 specials + 4 chars + 3 merges. Chars after merges, by count desc then code point.
        byte[] bytes = BpeTrainer.builder().setVocabSize(10).build().train(List.of("ab ab ab", "abc"));
        SentencePieceModel m = SentencePieceModel.parse(bytes);
        List<String> pieces = m.pieces().stream().map(SentencePieceModel.Piece::piece).toList();
        assertEquals(List.of("<unk>", "<s>", "</s>", "ab", "▁ab", "▁abc", "a", "b", "▁", "c"), pieces);
        float[] scores = new float[10];
        for (int i = 0; i < 10; i++) {
            scores[i] = m.pieces().get(i).score();
        }
        assertArrayEquals(new float[] {0, 0, 0, 0, -1, -2, -3, -4, -5, -6}, scores, 0f);
        assertEquals(SentencePieceModel.ModelType.BPE, m.modelType());
        assertEquals("identity", m.normalizer().name());

        SentencePieceTokenizer tok = SentencePieceTokenizer.fromModelBytes(bytes);
        assertEquals(List.of("▁ab", "▁abc"), tok.encodeAsPieces("ab abc"));
        assertEquals(List.of("▁", "b", "a"), tok.encodeAsPieces("ba"), "no piece for ▁b or ba");
        // OmniSpark units: <blank> <unk> ab ▁ab ▁abc a b ▁ c <sos/eos>
        assertArrayEquals(new int[] {3, 4}, tok.encode("ab abc"));
        assertEquals("ab abc", tok.decode(tok.encode("ab abc")));
    }

    @Test
    void vocabularyTooSmallForTheAlphabetSaysTheMinimum() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpeTrainer.builder().setVocabSize(6).build().train(List.of("ab ab ab", "abc")));
        assertTrue(e.getMessage().contains("at least 7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.builder().build());
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.builder().setVocabSize(50).build()
                .train(List.of("   ", "")));
    }

    @Test
    void corpusModelIsDeterministicAndRoundTrips() {
        byte[] a = BpeTrainer.builder().setVocabSize(150).build().train(CORPUS);
        List<String> shuffled = new ArrayList<>(CORPUS);
        Collections.shuffle(shuffled, new Random(11));
        byte[] b = BpeTrainer.builder().setVocabSize(150).build().train(shuffled);
        assertArrayEquals(a, b, "same model whatever the order of the texts");
        SentencePieceModel m = SentencePieceModel.parse(a);
        assertEquals(150, m.pieces().size());
        assertArrayEquals(a, m.toBytes(150), "parse + serialize reproduces the bytes");
        SentencePieceTokenizer tok = SentencePieceTokenizer.fromModelBytes(a);
        assertEquals(150, tok.vocabSize());
        long tokens = 0;
        long chars = 0;
        for (String line : CORPUS) {
            int[] ids = tok.encode(line);
            assertEquals(line, tok.decode(ids));
            tokens += ids.length;
            chars += line.length();
        }
        // 147 merges over a 190-word vocabulary must compress clearly below one token per character.
        assertTrue(tokens < chars / 2, "tokens " + tokens + " for " + chars + " characters");
    }

    @Test
    void maxPieceLengthIsRespected() {
        byte[] bytes = BpeTrainer.builder().setVocabSize(150).optMaxPieceLength(3).build().train(CORPUS);
        for (SentencePieceModel.Piece p : SentencePieceModel.parse(bytes).pieces()) {
            if (p.type() == SentencePieceModel.PieceType.NORMAL) {
                assertTrue(p.piece().codePointCount(0, p.piece().length()) <= 3, p.piece());
            }
        }
    }

    @Test
    void javaTrainedModelLoadsInSpmEncodeAndAgrees(@TempDir Path dir) throws Exception {
        org.omnispark.data.tools.RequiredTools.check(SpmTools.hasSpmEncode(), "spm_encode is not on the PATH (apt-get install sentencepiece); "
                + "skipping the check that spm_encode loads the Java-trained model");
        SentencePieceTokenizer tok = SentencePieceTokenizer.train(CORPUS, 150, SentencePieceModel.ModelType.BPE);
        tok.save(dir);
        List<String> sentences = new ArrayList<>(TextResources.lines("spm_sentences.txt"));
        sentences.addAll(CORPUS.subList(0, 200));
        List<String> expected = SpmTools.spmEncodePieces(dir.resolve(SentencePieceTokenizer.MODEL_FILE), sentences,
                dir);
        assertEquals(sentences.size(), expected.size());
        for (int i = 0; i < sentences.size(); i++) {
            assertEquals(expected.get(i), String.join(" ", tok.encodeAsPieces(sentences.get(i))),
                    "'" + sentences.get(i) + "'");
        }
    }

    @Test
    void unigramTrainingThroughSpmTrainAgreesWithSpmEncode(@TempDir Path dir) throws Exception {
        org.omnispark.data.tools.RequiredTools.check(SpmTrainProcess.find().isPresent() && SpmTools.hasSpmEncode(),
                "spm_train/spm_encode are not on the PATH (apt-get install sentencepiece); skipping UNIGRAM training");
        SentencePieceTokenizer tok = SentencePieceTokenizer.train(CORPUS, 120, SentencePieceModel.ModelType.UNIGRAM);
        assertEquals(SentencePieceModel.ModelType.UNIGRAM, tok.modelType());
        assertEquals(120, tok.vocabSize());
        Path model = dir.resolve("u.model");
        Files.write(model, tok.modelBytes());
        List<String> sentences = TextResources.lines("spm_sentences.txt");
        List<String> expected = SpmTools.spmEncodePieces(model, sentences, dir);
        for (int i = 0; i < sentences.size(); i++) {
            assertEquals(expected.get(i), String.join(" ", tok.encodeAsPieces(sentences.get(i))),
                    "'" + sentences.get(i) + "'");
        }
    }
}
