package org.omnispark.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** trn files round-trip and have sclite's layout; RealTimeFactor sums and divides. */
class TrnFileAndRtfTest {

    @Test
    void trnRoundTrip(@TempDir Path dir) throws Exception {
        List<Transcript> transcripts = List.of(new Transcript("utt01", "hello  world"), new Transcript("utt02", ""),
                new Transcript("utt03", "café crème"));
        Path file = dir.resolve("hyp.trn");
        TrnFile.write(file, transcripts);
        assertEquals("hello world (utt01)\n(utt02)\ncafé crème (utt03)\n",
                Files.readString(file, StandardCharsets.UTF_8), "one line per utterance, 'words (id)'");
        List<Transcript> back = TrnFile.read(file);
        assertEquals(List.of(new Transcript("utt01", "hello world"), new Transcript("utt02", ""),
                new Transcript("utt03", "café crème")), back);
    }

    @Test
    void committedGoldenTrnFilesParse() throws Exception {
        List<Transcript> refs = TrnFile.read(ErrorRateCalculatorTest.resource("ref.trn"));
        assertEquals(new Transcript("utt00", "the cat sat on the mat"), refs.get(0));
        assertEquals(new Transcript("utt05", ""), refs.get(5));
    }

    @Test
    void idsMustBeTrnSafe() {
        assertThrows(IllegalArgumentException.class, () -> new Transcript("a b", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Transcript("a(b)", "x"));
        assertThrows(IllegalArgumentException.class, () -> TrnFile.parseLine("no id here"));
    }

    @Test
    void realTimeFactor() {
        RealTimeFactor a = new RealTimeFactor();
        a.add(0.5, 10.0);
        a.addNanos(1_000_000_000L, 1_250_000_000L, 5.0); // 0.25 s
        RealTimeFactor b = new RealTimeFactor();
        b.add(0.25, 5.0);
        RealTimeFactor sum = a.plus(b);
        // (0.5 + 0.25 + 0.25) / (10 + 5 + 5) = 1 / 20
        assertEquals(0.05, sum.value(), 1e-12, sum.toString());
        assertEquals(3, sum.utterances());
        assertEquals(true, Double.isNaN(new RealTimeFactor().value()));
        assertThrows(IllegalArgumentException.class, () -> a.add(-1, 1));
    }
}
