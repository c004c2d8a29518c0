package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.omnispark.data.Deadline;
import org.omnispark.data.RejectReason;

/**
 * Reading a segment of a WAV file by its byte range (what prepare does for Kaldi segments) gives exactly the samples
 * and the errors that decoding the whole file would, for every sample encoding and with chunks before the data.
 */
class WavSegmentTest {
    private static final DecodeLimits LIMITS = new DecodeLimits(60, Deadline.NONE);

    /** Decodes via the range, reading only the head and the segment's bytes. */
    private static Audio viaRange(byte[] file, int headBytes, double offset, double duration) throws Exception {
        byte[] head = Arrays.copyOf(file, Math.min(file.length, headBytes));
        AudioDecoder.WavSegment s = AudioDecoder.wavSegment(head, file.length, "f.wav", offset, duration, LIMITS);
        assertNotNull(s, "the head reaches the data chunk");
        byte[] frames = Arrays.copyOfRange(file, (int) s.byteOffset(), (int) s.byteOffset() + s.byteCount());
        return s.decode(frames, "f.wav");
    }

    @Test
    void theRangeGivesTheSamplesOfTheWholeFileForEveryEncoding() throws Exception {
        String[] files = {"pcm_s16_mono.wav", "pcm_s16_stereo.wav", "pcm_s24_stereo.wav", "pcm_s32_mono.wav",
            "pcm_u8_stereo.wav", "float32_stereo.wav", "float64_mono.wav", "speech_22050.wav"};
        double[][] segments = {{0, 0.01}, {0.005, 0.02}, {0.013, -1}, {0, -1}, {0.02, 100}};
        for (String name : files) {
            byte[] file = WavBytes.resource("/audio/" + name);
            double seconds = AudioDecoder.decode(file, name).durationSeconds();
            for (double[] seg : segments) {
                if (seg[0] >= seconds) {
                    continue;
                }
                Audio whole = AudioDecoder.decode(file, "f.wav", seg[0], seg[1], LIMITS);
                Audio ranged = viaRange(file, 4096, seg[0], seg[1]);
                assertEquals(whole.sampleRate(), ranged.sampleRate());
                assertArrayEquals(whole.samples(), ranged.samples(), name + " " + Arrays.toString(seg));
            }
        }
    }

    @Test
    void aChunkBeforeTheDataAndAHeadThatStopsShort() throws Exception {
        byte[] list = new byte[3000];
        byte[] file = WavBytes.riff(WavBytes.fmt(1, 1, 16000, 2, 16), WavBytes.chunk("LIST", list),
                WavBytes.chunk("data", WavBytes.s16(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)));
        assertArrayEquals(AudioDecoder.decode(file, "f.wav", 0.0002, 0.0003, LIMITS).samples(),
                viaRange(file, 4096, 0.0002, 0.0003).samples());
        assertNull(AudioDecoder.wavSegment(Arrays.copyOf(file, 100), file.length, "f.wav", 0, 1, LIMITS),
                "the data chunk lies beyond the head: read the whole file instead");
        assertNull(AudioDecoder.wavSegment(WavBytes.resource("/audio/flac_s16_stereo.flac"), 1 << 20, "f.flac", 0,
                1, LIMITS), "not a WAV");
    }

    @Test
    void theErrorsAreThoseOfTheWholeFile() throws Exception {
        byte[] file = WavBytes.resource("/audio/pcm_s16_mono.wav");
        byte[] head = Arrays.copyOf(file, 4096);
        AudioFormatException past = assertThrows(AudioFormatException.class,
                () -> AudioDecoder.wavSegment(head, file.length, "f.wav", 1000, 1, LIMITS));
        assertEquals(RejectReason.SEGMENT_OUT_OF_RANGE, past.reason());
        AudioFormatException longer = assertThrows(AudioFormatException.class, () -> AudioDecoder.wavSegment(head,
                file.length, "f.wav", 0, -1, new DecodeLimits(0.001, Deadline.NONE)));
        assertEquals(RejectReason.TOO_LONG, longer.reason());
        AudioFormatException cut = assertThrows(AudioFormatException.class,
                () -> AudioDecoder.wavSegment(head, 60, "f.wav", 0, 1, LIMITS));
        assertEquals(RejectReason.TRUNCATED_AUDIO, cut.reason(), cut.getMessage());
    }
}
