package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.omnispark.data.RejectReason;

/** Field-name dialects, NeMo segments, key fallback and every malformed-line reason of {@link JsonLinesManifest}. */
class JsonLinesManifestTest {
    private static final String SRC = "/data/m.jsonl";

    private static ManifestEntry ok(String json) {
        ParsedLine p = JsonLinesManifest.parse(json, SRC, 4);
        assertFalse(p.isMalformed(), () -> "expected a parsed entry for " + json + ", got error " + p.error());
        assertNull(p.reason());
        assertNull(p.error());
        assertEquals(p.entry().key(), p.keyHint());
        return p.entry();
    }

    private static ParsedLine bad(String json) {
        ParsedLine p = JsonLinesManifest.parse(json, SRC, 4);
        assertTrue(p.isMalformed(), () -> "expected a malformed line for " + json + ", got " + p.entry());
        assertEquals(RejectReason.MALFORMED_MANIFEST_LINE, p.reason(), json);
        assertEquals(SRC, p.source());
        assertEquals(4, p.line());
        return p;
    }

    private static void assertMentions(ParsedLine p, String... words) {
        for (String w : words) {
            assertTrue(p.error().contains(w), "error '" + p.error() + "' should mention '" + w + "'");
        }
    }

    @Test
    void omniSparkFieldNames() {
        ManifestEntry e = ok("{\"key\":\"u1\",\"audio\":\"a/u1.wav\",\"text\":\"hello\",\"confidence\":0.75,"
                + "\"duration\":2.5,\"speaker\":\"s1\",\"language\":\"en\"}");
        assertEquals("u1", e.key());
        assertEquals("a/u1.wav", e.audioPath());
        assertEquals("hello", e.text());
        assertEquals(0.75, e.confidence());
        assertEquals(2.5, e.duration());
        assertEquals("s1", e.speaker());
        assertEquals("en", e.language());
        // Whole file: offset 0, length -1 ("to the end"), even though a duration is given (no offset).
        assertEquals(0.0, e.offset());
        assertEquals(-1.0, e.length());
        assertFalse(e.isSegment());
        assertEquals(SRC, e.source());
        assertEquals(4, e.line());
    }

    @Test
    void wenetFieldNames() {
        ManifestEntry e = ok("{\"key\":\"BAC009\",\"wav\":\"/x/BAC009.wav\",\"txt\":\"ni hao\"}");
        assertEquals("BAC009", e.key());
        assertEquals("/x/BAC009.wav", e.audioPath());
        assertEquals("ni hao", e.text());
        assertNull(e.confidence());
        assertNull(e.duration());
        assertNull(e.speaker());
        assertNull(e.language());
    }

    @Test
    void alternativeNamesForEveryField() {
        ManifestEntry e = ok("{\"utt_id\":\"u2\",\"path\":\"p.flac\",\"transcript\":\"t\",\"score\":\"0.5\","
                + "\"spk\":\"S\",\"lang\":\"de\"}");
        assertEquals("u2", e.key());
        assertEquals("p.flac", e.audioPath());
        assertEquals("t", e.text());
        assertEquals(0.5, e.confidence(), "a numeric string is accepted as confidence");
        assertEquals("S", e.speaker());
        assertEquals("de", e.language());
        assertEquals("u3", ok("{\"utt\":\"u3\",\"wav\":\"w\",\"text\":\"\"}").key());
        assertEquals("u4", ok("{\"id\":\"u4\",\"wav\":\"w\",\"text\":\"x\"}").key());
        assertEquals("", ok("{\"id\":\"u4\",\"wav\":\"w\",\"text\":\"\"}").text(), "empty text is not malformed");
    }

    @Test
    void firstMatchingNameWins() {
        // Order in the table: key before id; audio_filepath before wav; text before txt; confidence before score.
        ManifestEntry e = ok("{\"id\":\"second\",\"key\":\"first\",\"wav\":\"w2\",\"audio_filepath\":\"w1\","
                + "\"txt\":\"t2\",\"text\":\"t1\",\"score\":0.1,\"confidence\":0.9}");
        assertEquals("first", e.key());
        assertEquals("w1", e.audioPath());
        assertEquals("t1", e.text());
        assertEquals(0.9, e.confidence());
    }

    @Test
    void nemoWholeFileKeyFallsBackToAudioPath() {
        ManifestEntry e = ok("{\"audio_filepath\":\"/d/a.wav\",\"text\":\"hi\",\"duration\":3.25}");
        assertEquals("/d/a.wav", e.key());
        assertEquals(3.25, e.duration());
        assertEquals(0.0, e.offset());
        assertEquals(-1.0, e.length(), "NeMo duration without offset is a whole file, not a segment length");
        assertFalse(e.isSegment());
    }

    @Test
    void nemoSegmentUsesOffsetAndDuration() {
        ManifestEntry e = ok("{\"audio_filepath\":\"/d/long.wav\",\"text\":\"hi\",\"offset\":12.5,\"duration\":4.0}");
        // key = audio + "@" + offset (Double.toString(12.5) = "12.5")
        assertEquals("/d/long.wav@12.5", e.key());
        assertEquals(12.5, e.offset());
        assertEquals(4.0, e.length(), "length = NeMo duration when offset is given");
        assertEquals(4.0, e.duration());
        assertTrue(e.isSegment());
        // Two segments of the same file get distinct keys.
        ManifestEntry e2 = ok("{\"audio_filepath\":\"/d/long.wav\",\"text\":\"x\",\"offset\":0,\"duration\":2}");
        assertEquals("/d/long.wav@0.0", e2.key());
        assertEquals(2.0, e2.length());
        assertTrue(e2.isSegment(), "offset 0 with length 2 is still a segment");
    }

    @Test
    void explicitLengthWinsOverDuration() {
        ManifestEntry e = ok("{\"key\":\"k\",\"wav\":\"w\",\"text\":\"t\",\"offset\":1,\"length\":2.5,"
                + "\"duration\":9}");
        assertEquals(1.0, e.offset());
        assertEquals(2.5, e.length());
        ManifestEntry noOffset = ok("{\"key\":\"k\",\"wav\":\"w\",\"text\":\"t\",\"length\":1.5}");
        assertEquals(0.0, noOffset.offset());
        assertEquals(1.5, noOffset.length());
    }

    @Test
    void nonTextValuesAreKeptAsJson() {
        ManifestEntry e = ok("{\"key\":123,\"wav\":\"w\",\"text\":\"t\",\"confidence\":1,\"spk\":7}");
        assertEquals("123", e.key());
        assertEquals(1.0, e.confidence(), "confidence 1 is inside [0, 1]");
        assertEquals("7", e.speaker());
        assertEquals(0.0, ok("{\"key\":\"k\",\"wav\":\"w\",\"text\":\"t\",\"confidence\":0}").confidence());
        assertNull(ok("{\"key\":\"k\",\"wav\":\"w\",\"text\":\"t\",\"confidence\":null}").confidence(),
                "a JSON null confidence counts as absent");
    }

    @Test
    void invalidJson() {
        ParsedLine p = bad("{\"key\": \"u1\", \"wav\": ");
        assertMentions(p, "not valid JSON");
        assertEquals(SRC + ":5", p.keyHint(), "key hint is source:1-based line (line 4 -> 5)");
    }

    @Test
    void notAnObject() {
        assertMentions(bad("[1, 2, 3]"), "JSON object");
        assertMentions(bad("\"just a string\""), "JSON object");
        assertMentions(bad("42"), "JSON object");
        assertEquals(SRC + ":5", bad("[]").keyHint());
    }

    @Test
    void missingKey() {
        ParsedLine p = bad("{\"text\":\"hello\"}");
        assertMentions(p, "key", "utt_id");
        assertEquals(SRC + ":5", p.keyHint());
        assertMentions(bad("{\"key\":\"  \",\"wav\":\"w\",\"text\":\"t\"}"), "key");
    }

    @Test
    void missingAudio() {
        ParsedLine p = bad("{\"key\":\"u9\",\"text\":\"hello\"}");
        assertMentions(p, "audio", "audio_filepath", "wav");
        assertEquals("u9", p.keyHint(), "the key is known, so it is the hint");
        assertMentions(bad("{\"key\":\"u9\",\"wav\":\" \",\"text\":\"hello\"}"), "audio");
    }

    @Test
    void missingText() {
        ParsedLine p = bad("{\"key\":\"u9\",\"wav\":\"a.wav\"}");
        assertMentions(p, "text", "txt", "transcript");
        assertEquals("u9", p.keyHint());
        assertMentions(bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":null}"), "text");
    }

    @Test
    void nonNumericConfidence() {
        ParsedLine p = bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":\"t\",\"confidence\":\"high\"}");
        assertMentions(p, "confidence", "not a number", "high");
        assertEquals("u9", p.keyHint());
        assertMentions(bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":\"t\",\"score\":[0.5]}"), "score");
        assertMentions(bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":\"t\",\"duration\":\"long\"}"), "duration");
    }

    @Test
    void confidenceOutOfRange() {
        assertMentions(bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":\"t\",\"confidence\":1.5}"),
                "confidence", "[0, 1]", "1.5");
        assertMentions(bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":\"t\",\"confidence\":-0.01}"),
                "confidence", "-0.01");
        assertMentions(bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":\"t\",\"confidence\":\"NaN\"}"),
                "confidence", "NaN");
    }

    @Test
    void negativeOffset() {
        ParsedLine p = bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":\"t\",\"offset\":-1.0,\"duration\":2}");
        assertMentions(p, "offset", ">= 0", "-1.0");
        assertEquals("u9", p.keyHint());
    }

    @Test
    void nonNumericOffset() {
        ParsedLine p = bad("{\"key\":\"u9\",\"wav\":\"a.wav\",\"text\":\"t\",\"offset\":\"soon\"}");
        assertMentions(p, "offset", "not a number", "soon");
        assertEquals("u9", p.keyHint());
        // NeMo row without a key: the key would be derived from the offset, so the hint is source:line.
        ParsedLine nemo = bad("{\"audio_filepath\":\"a.wav\",\"text\":\"t\",\"offset\":\"soon\"}");
        assertEquals(SRC + ":5", nemo.keyHint());
    }
}
