package org.omnispark.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Agreement with the real spm_encode / spm_normalize: models trained by spm_train (a unigram model with a small
 * custom normalization rule set, a BPE model with identity normalization), their outputs on 25 sentences
 * committed as golden files by src/test/scripts/make_text_golden.py. No spm_* tool is needed at test time.
 */
class SentencePieceGoldenTest {
    private static final List<String> SENTENCES = TextResources.lines("spm_sentences.txt");

    private static SentencePieceTokenizer load(String name) throws IOException {
        return SentencePieceTokenizer.load(TextResources.path(name + ".model"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unigram", "bpe"})
    void modelMetadataIsRead(String name) throws IOException {
        SentencePieceTokenizer tok = load(name);
        assertEquals(name.equals("bpe") ? SentencePieceModel.ModelType.BPE : SentencePieceModel.ModelType.UNIGRAM,
                tok.modelType());
        // spm_train --vocab_size=150: 150 pieces including <unk>, <s>, </s>.
        assertEquals(150, tok.model().pieces().size());
        assertEquals(0, tok.model().unkId(), "spm_train puts <unk> at id 0");
        int charsmapBytes = tok.model().normalizer().precompiledCharsmap().length;
        if (name.equals("bpe")) {
            assertEquals("identity", tok.model().normalizer().name());
            assertEquals(0, charsmapBytes, "identity normalization has no compiled rules");
        } else {
            assertTrue(charsmapBytes > 0, "unigram carries the compiled custom rules of spm_rules.tsv");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unigram", "bpe"})
    void normalizationMatchesSpmNormalize(String name) throws IOException {
        SentencePieceTokenizer tok = load(name);
        List<String> expected = TextResources.lines(name + ".normalized.txt");
        assertEquals(SENTENCES.size(), expected.size());
        for (int i = 0; i < SENTENCES.size(); i++) {
            assertEquals(expected.get(i), tok.normalizeLikeSpm(SENTENCES.get(i)),
                    name + " sentence " + i + ": '" + SENTENCES.get(i) + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unigram", "bpe"})
    void piecesAndIdsMatchSpmEncode(String name) throws IOException {
        SentencePieceTokenizer tok = load(name);
        List<String> pieces = TextResources.lines(name + ".pieces.txt");
        List<String> ids = TextResources.lines(name + ".ids.txt");
        assertEquals(SENTENCES.size(), pieces.size());
        for (int i = 0; i < SENTENCES.size(); i++) {
            String s = SENTENCES.get(i);
            assertEquals(pieces.get(i), String.join(" ", tok.encodeAsPieces(s)), name + " pieces of '" + s + "'");
            String javaIds = Arrays.stream(tok.encodeAsSpmIds(s)).mapToObj(Integer::toString)
                    .collect(Collectors.joining(" "));
            assertEquals(ids.get(i), javaIds, name + " ids of '" + s + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unigram", "bpe"})
    void omniSparkIdsFollowWenetConventions(String name) throws IOException {
        SentencePieceTokenizer tok = load(name);
        List<String> units = tok.units();
        // 150 spm pieces - <unk>, <s>, </s> + <blank>, <unk>, <sos/eos> = 150 units.
        assertEquals(150, tok.vocabSize());
        assertEquals(List.of("<blank>", "<unk>"), units.subList(0, 2));
        assertEquals("<sos/eos>", units.get(149));
        assertEquals(149, tok.sosEosId());
        // Model order is kept: spm id k (k >= 3, past <unk> <s> </s>) becomes OmniSpark id k - 1.
        for (int k = 3; k < 150; k++) {
            assertEquals(tok.model().pieces().get(k).piece(), units.get(k - 1), "spm id " + k);
        }
        List<String> spmIds = TextResources.lines(name + ".ids.txt");
        for (int i = 0; i < SENTENCES.size(); i++) {
            int[] expected = spmIds.get(i).isEmpty() ? new int[0]
                    : Arrays.stream(spmIds.get(i).split(" ")).mapToInt(Integer::parseInt)
                    .map(id -> id == 0 ? 1 : id - 1).toArray();
            assertArrayEquals(expected, tok.encode(SENTENCES.get(i)), name + " '" + SENTENCES.get(i) + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unigram", "bpe"})
    void decodeInvertsEncodeForInVocabularyText(String name) throws IOException {
        SentencePieceTokenizer tok = load(name);
        for (String s : List.of("the people of the world", "don't tell me what you want", "supercalifragilistic",
                "x y j")) {
            assertEquals(s, tok.decode(tok.encode(s)), name);
            assertEquals(0, tok.countUnknown(s), name + " '" + s + "'");
        }
        // blank and sos/eos are skipped by decode
        int[] ids = tok.encode("hello world");
        int[] padded = new int[ids.length + 2];
        padded[0] = tok.sosEosId();
        System.arraycopy(ids, 0, padded, 1, ids.length);
        assertEquals("hello world", tok.decode(padded));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unigram", "bpe"})
    void unknownCharactersAreCountedOnePerCharacter(String name) throws IOException {
        SentencePieceTokenizer tok = load(name);
        // 'ж' once plus 'жжж' (merged into one <unk> piece by SentencePiece) = 4 unknown characters.
        assertEquals(4, tok.countUnknown("unknown ж characters жжж here"));
        int[] ids = tok.encode("unknown ж characters жжж here");
        assertEquals(2, Arrays.stream(ids).filter(id -> id == 1).count(), "two runs of unknowns, two <unk> ids");
        assertEquals("unknown <unk> characters <unk> here", tok.decode(ids));
        assertFalse(tok.units().contains("ж"));
    }
}
