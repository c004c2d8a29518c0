package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.data.audio.AudioRejects.reject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.data.RejectReason;
import org.omnispark.data.fuzz.AudioFuzzer;

/**
 * Damaged and foreign Matroska/WebM files: every one ends as the reject its damage calls for, with a message that
 * names the file and says what to do, without allocating by a size field. The damage is made by hand on a real
 * libopus WebM file ({@link WebmFixtures}).
 */
class WebmRejectTest {
    private static final byte[] WEBM = WebmFixtures.bytes("a_16k_mono_opus24.webm");

    private static byte[] replace(byte[] d, String from, String to) {
        byte[] out = d.clone();
        byte[] f = from.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(to.getBytes(StandardCharsets.ISO_8859_1), 0, out, WebmFixtures.indexOf(d, f), f.length);
        return out;
    }

    @Test
    void everyCutIsTruncatedOrCorruptNeverAnotherException() {
        int truncated = 0;
        for (int n = 1; n < WEBM.length; n++) {
            byte[] cut = Arrays.copyOf(WEBM, n);
            try {
                AudioDecoder.decode(cut, "cut");
            } catch (AudioFormatException e) {
                assertTrue(e.reason() == RejectReason.TRUNCATED_AUDIO || e.reason() == RejectReason.CORRUPT_AUDIO,
                        n + ": " + e.getMessage());
                truncated += e.reason() == RejectReason.TRUNCATED_AUDIO ? 1 : 0;
            }
        }
        assertTrue(truncated > WEBM.length * 9 / 10, "cuts said to be cuts: " + truncated);
        reject(Arrays.copyOf(WEBM, WEBM.length - 10), RejectReason.TRUNCATED_AUDIO, "cut",
                "is cut off by the end of the file (" + (WEBM.length - 10) + " bytes); the file was cut short");
    }

    @Test
    void aHugeSizeFieldIsTruncatedNotAnAllocation() {
        byte[] d = WEBM.clone();
        int segment = WebmFixtures.element(d, 0); // the Segment's 8-byte size: the largest known size
        d[segment + 4] = 0x01;
        Arrays.fill(d, segment + 5, segment + 12, (byte) 0xFE);
        reject(d, RejectReason.TRUNCATED_AUDIO, "huge", "cut off by the end of the file");
        byte[] inner = WEBM.clone();
        int tracks = WebmFixtures.indexOf(inner, new byte[] {(byte) 0xAE, 0x01}); // TrackEntry, 8-byte size
        inner[tracks + 8] = (byte) 0x7F;
        reject(inner, RejectReason.CORRUPT_AUDIO, "inner", "runs past the element that holds it");
    }

    @Test
    void foreignContentIsUnsupportedAndSaysWhatToDo() {
        AudioFormatException aac = reject(replace(WEBM, "A_OPUS", "A_AAC\0"), RejectReason.UNSUPPORTED_AUDIO, "aac",
                "first audio track is A_AAC is not supported, only A_OPUS and A_VORBIS");
        assertTrue(aac.getMessage().contains("ffmpeg -i in.mka -map 0:a:0 -ac 1 -ar 16000 out.wav"), aac.getMessage());
        reject(replace(WEBM, "webm", "mkv3"), RejectReason.UNSUPPORTED_AUDIO, "doctype", "DocType 'mkv3'");
        byte[] video = WEBM.clone();
        video[WebmFixtures.indexOf(video, new byte[] {(byte) 0x83, (byte) 0x81, 0x02}) + 2] = 1; // TrackType video
        reject(video, RejectReason.UNSUPPORTED_AUDIO, "video", "holds no audio track");
        byte[] encoded = WEBM.clone(); // the track's Language element becomes a ContentEncodings of the same length
        System.arraycopy(new byte[] {0x6D, (byte) 0x80, (byte) 0x84, 0x62, 0x40, (byte) 0x81, 0}, 0, encoded,
                WebmFixtures.indexOf(encoded, new byte[] {0x22, (byte) 0xB5, (byte) 0x9C, (byte) 0x83}), 7);
        reject(encoded, RejectReason.UNSUPPORTED_AUDIO, "encoded", "ContentEncodings");
    }

    @Test
    void brokenOpusTracksAreCorrupt() {
        reject(replace(WEBM, "OpusHead", "OpusHexd"), RejectReason.CORRUPT_AUDIO, "head", "does not start with"
                + " 'OpusHead'");
        byte[] d = WEBM.clone();
        int p = WebmFixtures.indexOf(d, "OpusHead".getBytes(StandardCharsets.ISO_8859_1));
        d[p + 10] = (byte) 0xFF; // pre-skip 65535 + 256: more than the stream holds
        d[p + 11] = (byte) 0xFF;
        reject(d, RejectReason.CORRUPT_AUDIO, "preskip", "fewer than its pre-skip of 65535");
        byte[] junk = WEBM.clone();
        junk[WebmFixtures.element(junk, 0) + 12] = 0; // the Segment's first child's ID
        reject(junk, RejectReason.CORRUPT_AUDIO, "junk", "is not the start of an EBML element");
        byte[] laced = WEBM.clone();
        int block = WebmFixtures.indexOf(laced, new byte[] {(byte) 0xE7, (byte) 0x81, 0x00}) + 3; // first SimpleBlock
        laced[block + 2 + 1 + 3] |= 6; // EBML lacing on a frame that is not laced
        reject(laced, RejectReason.CORRUPT_AUDIO, "laced", "damaged Matroska/WebM file: "); // lace sizes or Opus
        // a live recording cut right after its unknown-size Segment's header
        reject(Arrays.copyOf(WebmFixtures.bytes("a_16k_mono_opus24_live.webm"), 48), RejectReason.TRUNCATED_AUDIO,
                "early", "before its Tracks say what it holds");
    }

    @Test
    void concentusAssertionErrorsOnDamagedPacketsAreCorrupt() throws Exception {
        // found by a one-off run of 20000 WebM mutants: Concentus's Inlines.OpusAssert throws AssertionError (with
        // or without -ea) on this packet; it was an Error past every catch, failing the Spark task, in Ogg as well
        List<byte[]> seeds = new ArrayList<>();
        for (String n : WebmFixtures.OPUS) {
            seeds.add(WebmFixtures.bytes(n));
        }
        AudioFuzzer.Mutant m = new AudioFuzzer(99).mutate(seeds, 4370).get(4369);
        reject(m.bytes(), RejectReason.CORRUPT_AUDIO, m.name(), "cannot be decoded (java.lang.AssertionError)");
    }
}
