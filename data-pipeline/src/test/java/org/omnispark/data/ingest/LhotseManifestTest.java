package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.data.RejectReason;

/**
 * {@link LhotseManifest} on hand-written lines in Lhotse's JSONL form: one row per supervision of a cut at
 * cut start + supervision start, key fallbacks, channel choice, and every reject with its reason.
 */
class LhotseManifestTest {
    private static final String SRC = "/data/cuts.jsonl.gz";

    private static String rec(String id, String sources) {
        return "{\"id\": \"" + id + "\", \"sources\": [" + sources + "], \"sampling_rate\": 16000, "
                + "\"num_samples\": 160000, \"duration\": 10.0}";
    }

    private static String file(String path, String channels) {
        return "{\"type\": \"file\", \"channels\": " + channels + ", \"source\": \"" + path + "\"}";
    }

    private static String sup(String id, double start, double duration, String extra) {
        return "{" + (id == null ? "" : "\"id\": \"" + id + "\", ") + "\"recording_id\": \"r1\", \"start\": " + start
                + ", \"duration\": " + duration + extra + "}";
    }

    private static String cut(String id, double start, int channel, String sups, String recording) {
        return "{\"id\": \"" + id + "\", \"start\": " + start + ", \"duration\": 5.0, \"channel\": " + channel
                + ", \"supervisions\": [" + sups + "], \"recording\": " + recording + ", \"type\": \"MonoCut\"}";
    }

    private static List<ParsedLine> parse(String line) {
        List<ParsedLine> rows = LhotseManifest.parseCut(line, SRC, 6);
        for (ParsedLine p : rows) {
            assertEquals(SRC, p.source());
            assertEquals(6, p.line(), "every row keeps its cut's line");
        }
        return rows;
    }

    private static ParsedLine only(String line) {
        List<ParsedLine> rows = parse(line);
        assertEquals(1, rows.size(), () -> "one row expected: " + rows);
        return rows.get(0);
    }

    private static void assertReject(ParsedLine p, RejectReason reason, String key, String... words) {
        assertTrue(p.isMalformed(), () -> "expected a reject, got " + p.entry());
        assertEquals(reason, p.reason(), p.error());
        assertEquals(key, p.keyHint());
        for (String w : words) {
            assertTrue(p.error().contains(w), "error '" + p.error() + "' should mention '" + w + "'");
        }
    }

    @Test
    void twoSupervisionsOfOneCutAreTwoRowsAtCutStartPlusTheirStart() {
        String line = cut("c1", 2.5, 0, sup("s1", 0.5, 1.25, ", \"channel\": 0, \"text\": \"HELLO\", \"speaker\": "
                + "\"spk7\", \"language\": \"English\", \"custom\": {\"x\": 1}") + ", "
                + sup("s2", 2.0, 0.75, ", \"channel\": 0, \"text\": \"WORLD\""), rec("r1", file("a/r1.wav", "[0]")));
        List<ParsedLine> rows = parse(line);
        assertEquals(2, rows.size());
        ManifestEntry a = rows.get(0).entry();
        assertEquals("s1", a.key());
        assertEquals("a/r1.wav", a.audioPath(), "relative: resolved later against the manifest's folder");
        assertEquals("HELLO", a.text());
        assertEquals(3.0, a.offset(), 0.0, "2.5 + 0.5");
        assertEquals(1.25, a.length(), 0.0);
        assertEquals(1.25, a.duration());
        assertEquals("spk7", a.speaker());
        assertEquals("English", a.language());
        assertNull(a.confidence(), "Lhotse has no confidence: the row passes filters.min_confidence");
        ManifestEntry b = rows.get(1).entry();
        assertEquals("s2", b.key());
        assertEquals(4.5, b.offset(), 0.0, "2.5 + 2.0");
        assertEquals(0.75, b.length(), 0.0);
        assertNull(b.speaker());
    }

    @Test
    void offsetsAreRoundedToEightDecimalsAsLhotseDoes() {
        ManifestEntry e = only(cut("c1", 0.4, 0, sup("s1", 0.3, 0.5, ", \"text\": \"x\""),
                rec("r1", file("/abs/r.wav", "[0]")))).entry();
        assertEquals(0.7, e.offset(), 0.0, "0.4 + 0.3 is 0.7000000000000001 in doubles");
        assertEquals("/abs/r.wav", e.audioPath());
    }

    @Test
    void aCutsOnlySupervisionWithoutIdTakesTheCutsId() {
        ParsedLine p = only(cut("c9", 0, 0, sup(null, 0, 1, ", \"text\": \"x\""), rec("r1", file("r.wav", "[0]"))));
        assertEquals("c9", p.entry().key());
        List<ParsedLine> two = parse(cut("c9", 0, 0, sup(null, 0, 1, ", \"text\": \"x\"") + ", "
                + sup("s2", 1, 1, ", \"text\": \"y\""), rec("r1", file("r.wav", "[0]"))));
        assertReject(two.get(0), RejectReason.MALFORMED_MANIFEST_LINE, "c9/supervisions[0]", "has no 'id'");
        assertEquals("s2", two.get(1).entry().key());
    }

    @Test
    void theSupervisionsChannelPicksItsOwnMonoSource() {
        String recording = rec("r1", file("ch0.wav", "[0]") + ", " + file("ch1.wav", "[1]"));
        ManifestEntry e = only(cut("c1", 0, 1, sup("s1", 0, 1, ", \"channel\": 1, \"text\": \"x\""), recording))
                .entry();
        assertEquals("ch1.wav", e.audioPath());
        // No channel on the supervision: the cut's.
        assertEquals("ch1.wav", only(cut("c1", 0, 1, sup("s1", 0, 1, ", \"text\": \"x\""), recording)).entry()
                .audioPath());
        // A one-element list is that channel.
        assertEquals("ch0.wav", only(cut("c1", 0, 1, sup("s1", 0, 1, ", \"channel\": [0], \"text\": \"x\""),
                recording)).entry().audioPath());
    }

    @Test
    void oneChannelOfAMultiChannelFileIsRejected() {
        ParsedLine p = only(cut("c1", 0, 1, sup("s1", 0, 1, ", \"channel\": 1, \"text\": \"x\""),
                rec("r1", file("st.wav", "[0, 1]"))));
        assertReject(p, RejectReason.UNSUPPORTED_AUDIO, "s1", "channels [0, 1] in one file", "st.wav",
                "cannot pick channel 1", "remix");
    }

    @Test
    void aSupervisionOnSeveralChannelsIsRejected() {
        ParsedLine p = only(cut("c1", 0, 0, sup("s1", 0, 1, ", \"channel\": [0, 1], \"text\": \"x\""),
                rec("r1", file("a.wav", "[0]") + ", " + file("b.wav", "[1]"))));
        assertReject(p, RejectReason.UNSUPPORTED_AUDIO, "s1", "channels [0, 1]", "its own supervision");
    }

    @Test
    void aChannelNoSourceHoldsIsRejected() {
        ParsedLine p = only(cut("c1", 0, 3, sup("s1", 0, 1, ", \"channel\": 3, \"text\": \"x\""),
                rec("r1", file("a.wav", "[0]"))));
        assertReject(p, RejectReason.MALFORMED_MANIFEST_LINE, "s1", "no source for channel 3");
    }

    @Test
    void sourcesThatAreNotFilesAreRejectedNamingTheirType() {
        for (String type : List.of("url", "command", "memory", "shar", "ftp")) {
            ParsedLine p = only(cut("c1", 0, 0, sup("s1", 0, 1, ", \"text\": \"x\""), rec("r1",
                    "{\"type\": \"" + type + "\", \"channels\": [0], \"source\": \"SRC-" + type + "\"}")));
            assertReject(p, RejectReason.UNSUPPORTED_AUDIO, "s1", "'" + type + "' source", "(supervision 's1')");
        }
        ParsedLine url = only(cut("c1", 0, 0, sup("s1", 0, 1, ", \"text\": \"x\""), rec("r1",
                "{\"type\": \"url\", \"channels\": [0], \"source\": \"https://x.org/a.wav\"}")));
        assertTrue(url.error().contains("https://x.org/a.wav") && url.error().contains("does not download"),
                url.error());
    }

    @Test
    void speedTransformsAreRejectedButResampleIsDropped() {
        String speed = rec("r1", file("a.wav", "[0]")).replace("}]", "}], \"transforms\": [{\"name\": \"Speed\", "
                + "\"kwargs\": {\"factor\": 0.9}}]");
        assertReject(only(cut("c1", 0, 0, sup("s1", 0, 1, ", \"text\": \"x\""), speed)),
                RejectReason.UNSUPPORTED_AUDIO, "s1", "[Speed]", "audio.speed_perturb");
        String resample = rec("r1", file("a.wav", "[0]")).replace("}]", "}], \"transforms\": [{\"name\": "
                + "\"Resample\", \"kwargs\": {\"source_sampling_rate\": 44100, \"target_sampling_rate\": 16000}}]");
        assertEquals("a.wav", only(cut("c1", 0, 0, sup("s1", 0, 1, ", \"text\": \"x\""), resample)).entry()
                .audioPath());
    }

    @Test
    void aCutWithoutSupervisionsIsOneRejectKeyedByTheCut() {
        assertReject(only(cut("c-empty", 0, 0, "", rec("r1", file("a.wav", "[0]")))), RejectReason.EMPTY_TRANSCRIPT,
                "c-empty", "no supervisions");
        String noField = "{\"id\": \"c2\", \"start\": 0, \"duration\": 1, \"channel\": 0, \"type\": \"MonoCut\"}";
        assertReject(only(noField), RejectReason.EMPTY_TRANSCRIPT, "c2", "no supervisions");
    }

    @Test
    void aSupervisionWithoutTextIsAnEmptyTranscript() {
        assertReject(only(cut("c1", 0, 0, sup("s1", 0, 1, ""), rec("r1", file("a.wav", "[0]")))),
                RejectReason.EMPTY_TRANSCRIPT, "s1", "no text");
    }

    @Test
    void malformedLinesAreOneRejectKeyedByFileAndLine() {
        String where = SRC + ":7";
        assertReject(only("{\"id\": \"c1\", \"start\""), RejectReason.MALFORMED_MANIFEST_LINE, where, "not valid JSON");
        assertReject(only("[1, 2]"), RejectReason.MALFORMED_MANIFEST_LINE, where, "JSON object");
        assertReject(only("{\"id\": \"c1\"}"), RejectReason.MALFORMED_MANIFEST_LINE, "c1", "not a Lhotse cut",
                "'type' is absent");
        assertReject(only("{\"type\": \"MonoCut\", \"start\": 0, \"supervisions\": []}"),
                RejectReason.MALFORMED_MANIFEST_LINE, where, "no 'id'");
        assertReject(only(cut("c1", 0, 0, sup("s1", 0, 1, ", \"text\": \"x\""), rec("r1", file("a.wav", "[0]")))
                .replace("\"start\": 0.0, \"duration\": 5.0", "\"start\": \"soon\", \"duration\": 5.0")),
                RejectReason.MALFORMED_MANIFEST_LINE, "c1", "'start' is not a number");
    }

    @Test
    void aBadSupervisionRejectsOnlyItself() {
        List<ParsedLine> rows = parse(cut("c1", 0, 0, sup("s1", 0, 0, ", \"text\": \"x\"") + ", "
                + sup("s2", 1, 1, ", \"text\": \"y\"") + ", " + sup("s2", 2, 1, ", \"text\": \"z\""),
                rec("r1", file("a.wav", "[0]"))));
        assertEquals(3, rows.size());
        assertReject(rows.get(0), RejectReason.MALFORMED_MANIFEST_LINE, "c1/supervisions[0]", "duration > 0");
        assertFalse(rows.get(1).isMalformed());
        assertReject(rows.get(2), RejectReason.DUPLICATE_KEY, "s2", "appears twice in cut 'c1'");
    }

    @Test
    void aSupervisionBeforeTheRecordingIsOutOfRange() {
        assertReject(only(cut("c1", 0.5, 0, sup("s1", -1.0, 1, ", \"text\": \"x\""), rec("r1", file("a.wav",
                "[0]")))), RejectReason.SEGMENT_OUT_OF_RANGE, "s1", "-0.5 s", "before the recording begins");
    }

    @Test
    void cutsWithoutUsableRecordingRejectEachSupervision() {
        String noRec = "{\"id\": \"c1\", \"start\": 0, \"duration\": 1, \"channel\": 0, \"supervisions\": ["
                + sup("s1", 0, 1, ", \"text\": \"x\"") + ", " + sup("s2", 0, 1, ", \"text\": \"y\"")
                + "], \"type\": \"MonoCut\"}";
        List<ParsedLine> rows = parse(noRec);
        assertEquals(2, rows.size());
        assertReject(rows.get(0), RejectReason.MISSING_AUDIO, "s1", "has no recording");
        assertReject(rows.get(1), RejectReason.MISSING_AUDIO, "s2", "has no recording");
        assertReject(only(cut("c1", 0, 0, sup("s1", 0, 1, ", \"text\": \"x\""), "{\"id\": \"r1\"}")),
                RejectReason.MALFORMED_MANIFEST_LINE, "s1", "no 'sources'");
    }

    @Test
    void mixedAndPaddingCutsAreRejectedNamingTheirType() {
        assertReject(only("{\"id\": \"m1\", \"tracks\": [], \"type\": \"MixedCut\"}"), RejectReason.UNSUPPORTED_AUDIO,
                "m1", "MixedCut");
        assertReject(only("{\"id\": \"p1\", \"duration\": 1, \"num_samples\": 16000, \"type\": \"PaddingCut\"}"),
                RejectReason.UNSUPPORTED_AUDIO, "p1", "PaddingCut");
    }

    @Test
    void recordingAndSupervisionSetLinesAndTheirJoin() {
        LhotseManifest.Parsed<LhotseRecording> r = LhotseManifest.parseRecording(rec("r1", file("a.wav", "[0]")),
                "/d/recordings.jsonl", 0);
        assertNull(r.reject());
        assertEquals("r1", r.value().id());
        assertEquals(List.of(0), r.value().channelIds());
        LhotseManifest.Parsed<LhotseRecording> badRec = LhotseManifest.parseRecording("oops", "/d/recordings.jsonl",
                3);
        assertReject(badRec.reject(), RejectReason.MALFORMED_MANIFEST_LINE, "/d/recordings.jsonl:4", "JSON object");

        LhotseManifest.Parsed<LhotseSupervision> s = LhotseManifest.parseSupervision(sup("s1", 1.5, 2.0,
                ", \"text\": \"hi\""), "/d/sups.jsonl.gz", 2);
        ParsedLine row = LhotseManifest.pairRow(s.value(), r.value(), "/d/recordings.jsonl", "/d/sups.jsonl.gz", 2);
        assertEquals("s1", row.entry().key());
        assertEquals(1.5, row.entry().offset(), 0.0, "a SupervisionSet's start is relative to the recording");
        assertEquals(2.0, row.entry().length(), 0.0);
        assertEquals("/d/sups.jsonl.gz", row.entry().source());
        assertEquals(2, row.entry().line());

        ParsedLine missing = LhotseManifest.pairRow(s.value(), null, "/d/recordings.jsonl", "/d/sups.jsonl.gz", 2);
        assertReject(missing, RejectReason.MISSING_AUDIO, "s1", "recording 'r1' is not in /d/recordings.jsonl");

        assertReject(LhotseManifest.parseSupervision(sup(null, 0, 1, ", \"text\": \"x\""), "/d/s.jsonl", 0).reject(),
                RejectReason.MALFORMED_MANIFEST_LINE, "/d/s.jsonl:1", "no 'id'");
        assertReject(LhotseManifest.parseSupervision("{\"id\": \"s9\", \"start\": 0, \"duration\": 1}", "/d/s.jsonl",
                0).reject(), RejectReason.MALFORMED_MANIFEST_LINE, "s9", "no 'recording_id'");
    }

    @Test
    void kindsByShape() {
        assertEquals(LhotseManifest.Kind.CUT, LhotseManifest.kindOf(LhotseManifest.readObject(
                "{\"id\": \"c\", \"type\": \"MonoCut\"}")));
        assertEquals(LhotseManifest.Kind.RECORDING, LhotseManifest.kindOf(LhotseManifest.readObject(
                rec("r", file("a.wav", "[0]")))));
        assertEquals(LhotseManifest.Kind.SUPERVISION, LhotseManifest.kindOf(LhotseManifest.readObject(
                sup("s", 0, 1, ""))));
        assertNull(LhotseManifest.kindOf(LhotseManifest.readObject("{\"key\": \"u\", \"audio\": \"a.wav\", "
                + "\"text\": \"x\"}")), "an OmniSpark JSON-lines row");
        assertNull(LhotseManifest.kindOf(LhotseManifest.readObject("{\"audio_filepath\": \"a.wav\", \"text\": "
                + "\"x\", \"duration\": 1.0, \"offset\": 0}")), "a NeMo row");
        assertNull(LhotseManifest.readObject("not json"));
    }

    /** Nothing a line holds makes the parser throw: every cut of a damaged line is rows or rejects, never lost. */
    @Test
    void damagedLinesNeverThrow() {
        String line = cut("c1", 0.5, 0, sup("s1", 0.5, 1.25, ", \"channel\": 0, \"text\": \"HELLO\"") + ", "
                + sup("s2", 2.0, 0.75, ", \"text\": \"WORLD\""), rec("r1", file("a/r1.wav", "[0]")));
        java.util.Random random = new java.util.Random(23);
        String alphabet = "{}[]\",:0-1.enulltrueMonoCut ";
        for (int i = 0; i < 3000; i++) {
            StringBuilder b = new StringBuilder(line);
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits && b.length() > 0; e++) {
                int at = random.nextInt(b.length());
                switch (random.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> b.setLength(at);
                }
            }
            List<ParsedLine> rows = LhotseManifest.parseCut(b.toString(), SRC, 6);
            assertFalse(rows.isEmpty(), b::toString);
            assertTrue(rows.size() <= 2, b::toString);
            for (ParsedLine p : rows) {
                assertTrue(p.isMalformed() ? p.reason() != null && p.error() != null && p.keyHint() != null
                        : p.entry().length() > 0 && p.entry().offset() >= 0, b::toString);
            }
        }
    }
}
