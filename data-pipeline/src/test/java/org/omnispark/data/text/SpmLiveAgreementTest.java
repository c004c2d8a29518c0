package org.omnispark.data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agreement with spm_train's DEFAULT normalization (nmt_nfkc: a ~200 KB compiled trie, too big to commit as a
 * fixture), checked live against spm_encode. Skipped when spm_train/spm_encode are not on the PATH; the committed
 * golden files ({@link SentencePieceGoldenTest}) cover the same code with a small custom rule set.
 */
class SpmLiveAgreementTest {

    @Test
    void nmtNfkcModelMatchesSpmEncode(@TempDir Path dir) throws Exception {
        org.omnispark.data.tools.RequiredTools.check(SpmTrainProcess.find().isPresent() && SpmTools.hasSpmEncode(),
                "spm_train/spm_encode are not on the PATH (apt-get install sentencepiece); skipping");
        Path corpus = dir.resolve("corpus.txt");
        List<String> lines = new ArrayList<>(TextResources.lines("spm_corpus.txt").subList(0, 400));
        lines.add("Ünïcödé café naïve ＦＵＬＬ ｗｉｄｔｈ ① ㎏ ﬁ ™ – — … 　 ½ x²");
        Files.write(corpus, lines, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("spm_train", "--input=" + corpus, "--model_prefix=" + dir.resolve("m"),
                "--vocab_size=120", "--model_type=unigram", "--num_threads=1", "--character_coverage=1.0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "spm_train failed");
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(dir.resolve("m.model"));
        assertEquals("nmt_nfkc", tok.model().normalizer().name());
        assertTrue(tok.model().normalizer().precompiledCharsmap().length > 100_000,
                "nmt_nfkc rules are a large trie");
        List<String> sentences = new ArrayList<>(TextResources.lines("spm_sentences.txt"));
        sentences.addAll(List.of("Ünïcödé café naïve", "ＦＵＬＬ ｗｉｄｔｈ ① ㎏ ﬁ ™", "dash – and — dots …",
                "ideographic\u3000space and\u00a0nbsp", "half ½ and x²", "ｶﾀｶﾅ ﾊﾝｶｸ", "Å Å Å", "\u200bzero\u200dwidth",
                "control\u0001char", "the people of the world"));
        List<String> expected = SpmTools.spmEncodePieces(dir.resolve("m.model"), sentences, dir);
        assertEquals(sentences.size(), expected.size());
        for (int i = 0; i < sentences.size(); i++) {
            assertEquals(expected.get(i), String.join(" ", tok.encodeAsPieces(sentences.get(i))),
                    "'" + sentences.get(i) + "'");
        }
    }
}
