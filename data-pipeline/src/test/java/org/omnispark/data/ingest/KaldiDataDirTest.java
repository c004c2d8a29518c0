package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.omnispark.data.RejectReason;

/** Line parsers and the row builder of {@link KaldiDataDir}. */
class KaldiDataDirTest {
    private static final String DIR = "/data/kaldi/train";

    @Test
    void textLineSplitsAtFirstWhitespaceRun() {
        KaldiDataDir.TextLine t = KaldiDataDir.parseText("utt-001 \t HELLO   big  WORLD  ", 7).orElseThrow();
        assertEquals("utt-001", t.utt());
        assertEquals("HELLO   big  WORLD", t.transcript(), "inner spacing is kept, the ends are stripped");
        assertEquals(7, t.line());
    }

    @Test
    void textLineWithoutTranscriptHasEmptyText() {
        KaldiDataDir.TextLine t = KaldiDataDir.parseText("utt-002", 0).orElseThrow();
        assertEquals("utt-002", t.utt());
        assertEquals("", t.transcript());
    }

    @Test
    void blankTextLinesAreSkipped() {
        assertTrue(KaldiDataDir.parseText("", 3).isEmpty());
        assertTrue(KaldiDataDir.parseText("   \t ", 3).isEmpty());
    }

    @Test
    void splitFirstOnWavScpValueKeepsCommand() {
        assertArrayEquals(new String[] {"rec1", "sox in.flac -t wav - |"},
                KaldiDataDir.splitFirst("rec1 sox in.flac -t wav - |"));
    }

    @Test
    void segmentLine() {
        KaldiDataDir.Segment s = KaldiDataDir.parseSegment("  utt1  rec1\t1.25 3.75 ", 1);
        assertEquals("utt1", s.utt());
        assertEquals("rec1", s.recording());
        assertEquals(1.25, s.start());
        assertEquals(3.75, s.end());
        assertEquals(null, s.error());
        assertEquals(-1.0, KaldiDataDir.parseSegment("u r 2 -1", 2).end(), "end -1 means to the end");
    }

    @Test
    void badSegmentLinesNameTheirProblemInsteadOfThrowing() {
        String fields = KaldiDataDir.parseSegment("utt1 rec1 1.0", 7).error();
        assertTrue(fields.contains("segments line 7") && fields.contains("utt rec start end"), fields);
        String order = KaldiDataDir.parseSegment("utt1 rec1 3.0 2.0", 1).error();
        assertTrue(order.contains("utt1") && order.contains("start < end"), order);
        assertTrue(KaldiDataDir.parseSegment("utt1 rec1 2.0 2.0", 1).error() != null,
                "an empty segment (end == start) is rejected");
        assertTrue(KaldiDataDir.parseSegment("utt1 rec1 -0.5 2.0", 1).error() != null, "a negative start");
        assertTrue(KaldiDataDir.parseSegment("utt1 rec1 abc 2.0", 1).error().contains("not a number"));
        assertTrue(KaldiDataDir.parseSegment("utt1 rec1 NaN 2.0", 1).error() != null, "NaN");
        assertTrue(KaldiDataDir.parseSegment("utt1 rec1 1 Infinity", 1).error() != null, "infinity");
        KaldiDataDir.TextLine text = KaldiDataDir.parseText("utt1 hello", 3).orElseThrow();
        ParsedLine p = KaldiDataDir.toParsedLine(text, KaldiDataDir.parseSegment("utt1 rec1 x y", 4), "a.wav",
                null, "dir");
        assertTrue(p.isMalformed());
        assertEquals(org.omnispark.data.RejectReason.MALFORMED_MANIFEST_LINE, p.reason());
        assertEquals("utt1", p.keyHint());
    }

    @Test
    void wholeRecordingRow() {
        KaldiDataDir.TextLine t = new KaldiDataDir.TextLine("rec1", "hello world", 5);
        ParsedLine p = KaldiDataDir.toParsedLine(t, null, "/audio/rec1.wav", "spk1", DIR);
        assertFalse(p.isMalformed());
        ManifestEntry e = p.entry();
        assertEquals("rec1", e.key());
        assertEquals("/audio/rec1.wav", e.audioPath());
        assertEquals("hello world", e.text());
        assertEquals("spk1", e.speaker());
        assertNull(e.confidence());
        assertNull(e.duration());
        assertNull(e.language());
        assertEquals(0.0, e.offset());
        assertEquals(-1.0, e.length());
        assertFalse(e.isSegment());
        assertEquals(DIR, e.source());
        assertEquals(5, e.line());
    }

    @Test
    void segmentRowOffsetAndLength() {
        KaldiDataDir.TextLine t = new KaldiDataDir.TextLine("utt1", "hi", 2);
        KaldiDataDir.Segment s = new KaldiDataDir.Segment("utt1", "rec1", 1.25, 3.75, null);
        ManifestEntry e = KaldiDataDir.toParsedLine(t, s, "/audio/rec1.wav", null, DIR).entry();
        assertEquals("utt1", e.key(), "the key is the utterance, not the recording");
        // offset = start = 1.25; length = end - start = 3.75 - 1.25 = 2.5
        assertEquals(1.25, e.offset(), 1e-12, "offset = start");
        assertEquals(2.5, e.length(), 1e-12, "length = end - start = 3.75 - 1.25");
        assertTrue(e.isSegment());

        KaldiDataDir.Segment open = new KaldiDataDir.Segment("utt1", "rec1", 4.0, -1, null);
        ManifestEntry toEnd = KaldiDataDir.toParsedLine(t, open, "/audio/rec1.wav", null, DIR).entry();
        assertEquals(4.0, toEnd.offset());
        assertEquals(-1.0, toEnd.length(), "end -1 gives length -1 (to the end of the recording)");
    }

    @Test
    void missingWavScpEntry() {
        KaldiDataDir.TextLine t = new KaldiDataDir.TextLine("utt1", "hi", 9);
        KaldiDataDir.Segment s = new KaldiDataDir.Segment("utt1", "recX", 0, 1, null);
        ParsedLine p = KaldiDataDir.toParsedLine(t, s, null, null, DIR);
        assertTrue(p.isMalformed());
        assertEquals(RejectReason.MISSING_AUDIO, p.reason());
        assertTrue(p.error().contains("'recX'") && p.error().contains("wav.scp"),
                "error should name the recording and wav.scp: " + p.error());
        assertEquals("utt1", p.keyHint());
        assertEquals(DIR, p.source());
        assertEquals(9, p.line());

        ParsedLine whole = KaldiDataDir.toParsedLine(new KaldiDataDir.TextLine("rec7", "x", 0), null, null, null,
                DIR);
        assertEquals(RejectReason.MISSING_AUDIO, whole.reason());
        assertTrue(whole.error().contains("'rec7'"), whole.error());
    }

    @Test
    void pipedWavScpEntryIsUnsupported() {
        KaldiDataDir.TextLine t = new KaldiDataDir.TextLine("rec1", "hi", 1);
        String[] kv = KaldiDataDir.splitFirst("rec1 flac -c -d -s /audio/rec1.flac |");
        ParsedLine p = KaldiDataDir.toParsedLine(t, null, kv[1], null, DIR);
        assertTrue(p.isMalformed());
        assertEquals(RejectReason.UNSUPPORTED_AUDIO, p.reason());
        assertTrue(p.error().contains("pipe"), p.error());
        assertEquals("rec1", p.keyHint());
        assertEquals(1, p.line());
    }
}
