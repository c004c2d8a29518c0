package org.omnispark.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ErrorRateCalculator against NIST sclite (golden counts made by trainer/src/test/python/make_sclite_golden.py from
 * the committed ref.trn / hyp.trn: 32 pairs with substitutions, deletions, insertions, empty hypothesis, empty
 * reference, ties and UTF-8) and against hand-computed cases.
 */
class ErrorRateCalculatorTest {

    private static final ErrorRateCalculator CALC = ErrorRateCalculator.sclite();

    @Test
    void perUtteranceCountsAgreeWithSclite() throws Exception {
        JsonNode golden = golden();
        List<Transcript> refs = TrnFile.read(resource("ref.trn"));
        List<Transcript> hyps = TrnFile.read(resource("hyp.trn"));
        assertEquals(32, refs.size(), "pairs in ref.trn");
        ErrorRateReport report = CALC.score(refs, hyps);
        compare(golden.get("words"), report.perUtteranceWords(), refs, hyps, "words");
        compare(golden.get("characters"), report.perUtteranceCharacters(), refs, hyps, "characters");
        compareTotals(golden.get("words_total"), report.words(), "words");
        compareTotals(golden.get("characters_total"), report.characters(), "characters");
    }

    /** sclite's weights make "a b" -> "b c" one deletion + one insertion (cost 6), not two substitutions (8). */
    @Test
    void scliteWeightsPreferDeletionPlusInsertion() {
        assertEquals(new EditCounts(1, 0, 1, 1), CALC.wordCounts("a b", "b c"));
        // Plain Levenshtein: both alignments cost 2; ties go to substitutions: C=0 S=2.
        ErrorRateCalculator lev = ErrorRateCalculator.builder().optCosts(EditCosts.LEVENSHTEIN).build();
        assertEquals(new EditCounts(0, 2, 0, 0), lev.wordCounts("a b", "b c"));
    }

    @Test
    void handComputedCounts() {
        // "the cat sat" vs "the cat sat down": C=3, I=1, WER = 1/3
        EditCounts w = CALC.wordCounts("the cat sat", "the cat sat down");
        assertEquals(new EditCounts(3, 0, 0, 1), w);
        assertEquals(1.0 / 3, w.errorRate(), 1e-15, w.toString());
        // characters without spaces: "thecat" (6) vs "thebat": one substitution, CER = 1/6
        EditCounts c = CALC.characterCounts("the cat", "the bat");
        assertEquals(new EditCounts(5, 1, 0, 0), c);
        assertEquals(1.0 / 6, c.errorRate(), 1e-15, c.toString());
        // empty reference: N = 0, rate infinite with insertions, 0 without
        assertEquals(Double.POSITIVE_INFINITY, CALC.wordCounts("", "a").errorRate());
        assertEquals(0.0, CALC.wordCounts(" ", "").errorRate());
        // case handling
        assertEquals(new EditCounts(0, 1, 0, 0), CALC.wordCounts("Cat", "cat"));
        assertEquals(new EditCounts(1, 0, 0, 0),
                ErrorRateCalculator.builder().optIgnoreCase(true).build().wordCounts("Cat", "cat"));
    }

    @Test
    void alignmentOperationsSpellTheEdit() {
        Alignment a = CALC.align(List.of("a", "b", "c"), List.of("a", "x", "c", "d"));
        assertEquals("CORRECT SUBSTITUTION CORRECT INSERTION",
                String.join(" ", a.operations().stream().map(o -> o.kind().name()).toList()));
        assertEquals(new EditCounts(2, 1, 0, 1), a.counts());
    }

    @Test
    void scoreNeedsAHypothesisForEveryReference() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CALC.score(List.of(new Transcript("u1", "a")), List.of(new Transcript("u2", "a"))));
        assertEquals(true, e.getMessage().contains("u1"), e.getMessage());
    }

    private static void compare(JsonNode expected, Map<String, EditCounts> actual, List<Transcript> refs,
            List<Transcript> hyps, String what) {
        assertEquals(expected.size(), actual.size(), what + ": utterances");
        for (int i = 0; i < refs.size(); i++) {
            String id = refs.get(i).utteranceId();
            JsonNode e = expected.get(id);
            EditCounts want = new EditCounts(e.get("C").asLong(), e.get("S").asLong(), e.get("D").asLong(),
                    e.get("I").asLong());
            assertEquals(want, actual.get(id), what + " of " + id + ": ref '" + refs.get(i).text() + "' hyp '"
                    + hyps.get(i).text() + "'");
        }
    }

    /** sclite's summary prints percentages of N with one decimal. */
    private static void compareTotals(JsonNode expected, EditCounts actual, String what) {
        long n = expected.get("N").asLong();
        assertEquals(n, actual.referenceLength(), what + ": N");
        assertEquals(expected.get("sub_pct").asDouble(), round1(100.0 * actual.substitutions() / n), what + " S%");
        assertEquals(expected.get("del_pct").asDouble(), round1(100.0 * actual.deletions() / n), what + " D%");
        assertEquals(expected.get("ins_pct").asDouble(), round1(100.0 * actual.insertions() / n), what + " I%");
        assertEquals(expected.get("err_pct").asDouble(), round1(100.0 * actual.errorRate()), what + " Err%");
    }

    private static double round1(double percent) {
        return Math.round(percent * 10) / 10.0;
    }

    private static JsonNode golden() throws Exception {
        try (InputStream in = ErrorRateCalculatorTest.class.getResourceAsStream("/golden/metrics/golden.json")) {
            if (in == null) {
                throw new IllegalStateException("Missing golden/metrics/golden.json; run /usr/bin/python3 "
                        + "trainer/src/test/python/make_sclite_golden.py");
            }
            return new ObjectMapper().readTree(in);
        }
    }

    static Path resource(String name) throws Exception {
        return Path.of(ErrorRateCalculatorTest.class.getResource("/golden/metrics/" + name).toURI());
    }
}
