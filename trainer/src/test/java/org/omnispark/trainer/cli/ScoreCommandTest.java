package org.omnispark.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.cli.Main;

/**
 * {@code omnispark score} on hand-made trn files: the per-utterance counts (utterances.tsv) the experiment report
 * resamples, worked out by hand with sclite's weights (substitution 4, insertion and deletion 3).
 */
class ScoreCommandTest {
    @Test
    void perUtteranceCountsByHand(@TempDir Path tmp) throws Exception {
        Path mode = Files.createDirectories(tmp.resolve("eval/indomain/ctc_greedy"));
        Files.write(mode.resolve("ref.trn"), List.of("a b c d (u1)", "hello world (u2)", "one (u3)"));
        Files.write(mode.resolve("hyp.trn"), List.of("a x c (u1)", "hello world there (u2)", " (u3)"));
        assertEquals(0, Main.commandLine().execute("score", "--dir", mode.toString()));
        assertEquals(List.of(
                "utterance\tword_errors\twords\tchar_errors\tchars\tword_sub\tword_del\tword_ins\tchar_sub\tchar_del"
                        + "\tchar_ins",
                // b -> x substituted, d deleted; characters "abcd" vs "axc" the same
                "u1\t2\t4\t2\t4\t1\t1\t0\t1\t1\t0",
                // one word inserted; five characters ("there") inserted
                "u2\t1\t2\t5\t10\t0\t0\t1\t0\t0\t5",
                // an empty hypothesis: everything deleted
                "u3\t1\t1\t3\t3\t0\t1\t0\t0\t3\t0"),
                Files.readAllLines(mode.resolve("utterances.tsv")));
        Path out = tmp.resolve("pair.tsv");
        assertEquals(0, Main.commandLine().execute("score", "--ref", mode.resolve("ref.trn").toString(), "--hyp",
                mode.resolve("hyp.trn").toString(), "--out", out.toString()));
        assertEquals(Files.readAllLines(mode.resolve("utterances.tsv")), Files.readAllLines(out));
        assertEquals(2, Main.commandLine().execute("score", "--ref", out.toString()), "--ref needs --hyp");
    }
}
