package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.data.audio.AudioRejects.reject;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.omnispark.data.RejectReason;

/** Every reject reason the decoder gives, each reached by a damaged or foreign file. */
class AudioDecoderRejectTest {

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void emptyAndGarbageAreCorrupt() {
        reject(new byte[0], RejectReason.CORRUPT_AUDIO, "empty");
        byte[] garbage = new byte[1000];
        new Random(7).nextBytes(garbage);
        garbage[0] = 'x'; // make sure it does not start with a magic by chance
        AudioFormatException e = reject(garbage, RejectReason.CORRUPT_AUDIO, "garbage");
        assertTrue(e.getMessage().contains("sox"), "says how to convert: " + e.getMessage());
        reject(concat(ascii("RIFF\0\0\0\0AVI "), new byte[40]), RejectReason.CORRUPT_AUDIO, "riff-not-wave");
    }

    @Test
    void brokenWavHeadersAreCorrupt() {
        byte[] data = WavBytes.chunk("data", WavBytes.s16(1, 2, 3, 4));
        reject(WavBytes.riff(WavBytes.chunk("LIST", new byte[10])), RejectReason.CORRUPT_AUDIO, "no-fmt");
        reject(WavBytes.riff(WavBytes.fmt(WavBytes.PCM, 1, 16000, 2, 16)), RejectReason.CORRUPT_AUDIO, "no-data");
        reject(WavBytes.riff(data, WavBytes.fmt(WavBytes.PCM, 1, 16000, 2, 16)), RejectReason.CORRUPT_AUDIO,
                "data-before-fmt");
        reject(WavBytes.riff(WavBytes.fmt(WavBytes.PCM, 0, 16000, 2, 16), data), RejectReason.CORRUPT_AUDIO,
                "zero-channels");
        reject(WavBytes.riff(WavBytes.fmt(WavBytes.PCM, 1, 0, 2, 16), data), RejectReason.CORRUPT_AUDIO,
                "zero-rate");
        reject(WavBytes.riff(WavBytes.fmt(WavBytes.PCM, 2, 16000, 2, 16), data), RejectReason.CORRUPT_AUDIO,
                "block-align-mismatch");
        reject(WavBytes.riff(WavBytes.chunk("fmt ", new byte[12]), data), RejectReason.CORRUPT_AUDIO,
                "short-fmt");
        reject(WavBytes.riff(WavBytes.fmt(WavBytes.IEEE_FLOAT, 1, 16000, 4, 32),
                WavBytes.chunk("data", WavBytes.f32(0.5f, Float.NaN))), RejectReason.CORRUPT_AUDIO, "nan-float");
    }

    @Test
    void cutWavFilesAreTruncated() {
        byte[] wav = WavBytes.resource("/audio/pcm_s16_mono.wav"); // 44-byte header + 600 bytes of data
        reject(Arrays.copyOf(wav, 400), RejectReason.TRUNCATED_AUDIO, "cut-in-data");
        reject(Arrays.copyOf(wav, 30), RejectReason.TRUNCATED_AUDIO, "cut-in-fmt");
        reject(Arrays.copyOf(wav, 36), RejectReason.TRUNCATED_AUDIO, "cut-before-data");
        reject(Arrays.copyOf(wav, 10), RejectReason.TRUNCATED_AUDIO, "cut-in-riff-header");
    }

    @Test
    void otherCodecsAndContainersAreUnsupported() {
        reject(WavBytes.resource("/audio/alaw_mono.wav"), RejectReason.UNSUPPORTED_AUDIO, "alaw");
        reject(WavBytes.resource("/audio/ima_adpcm_mono.wav"), RejectReason.UNSUPPORTED_AUDIO, "ima-adpcm");
        reject(WavBytes.riff(WavBytes.fmtExtensible(WavBytes.ALAW, 1, 8000, 8, 8),
                WavBytes.chunk("data", new byte[8])), RejectReason.UNSUPPORTED_AUDIO, "extensible-alaw");
        reject(WavBytes.riff(WavBytes.fmt(WavBytes.PCM, 1, 16000, 2, 12), WavBytes.chunk("data", new byte[8])),
                RejectReason.UNSUPPORTED_AUDIO, "pcm-12-bit");
        reject(WavBytes.riff(WavBytes.fmt(WavBytes.IEEE_FLOAT, 1, 16000, 2, 16),
                WavBytes.chunk("data", new byte[8])), RejectReason.UNSUPPORTED_AUDIO, "float-16-bit");
        // MPEG layer II behind an ID3v2 tag (10-byte header, tag size 4); MP3 itself is decoded (Mp3RejectTest)
        byte[] id3 = concat(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0},
                new byte[] {(byte) 0xFF, (byte) 0xFD, (byte) 0x90, 0x64, 0, 0, 0, 0});
        AudioFormatException e = reject(id3, RejectReason.UNSUPPORTED_AUDIO, "id3-mp2");
        assertTrue(e.getMessage().contains("ffmpeg -i in.mp2 -ar 16000 -ac 1 out.wav"), e.getMessage());
        // Ogg Vorbis is decoded by ffmpeg, or UNSUPPORTED_AUDIO when audio.external_decoder is none (VorbisDecoderTest)
        reject(concat(ascii("NIST_1A\n   1024\n"), new byte[60]), RejectReason.UNSUPPORTED_AUDIO, "sphere");
        reject(concat(ascii("RIFX"), new byte[60]), RejectReason.UNSUPPORTED_AUDIO, "rifx");
    }

    @Test
    void damagedFlacIsTruncatedOrCorrupt() {
        byte[] flac = WavBytes.resource("/audio/flac_s16_stereo.flac");
        reject(Arrays.copyOf(flac, flac.length * 6 / 10), RejectReason.TRUNCATED_AUDIO, "flac-cut-in-frames");
        reject(Arrays.copyOf(flac, 20), RejectReason.TRUNCATED_AUDIO, "flac-cut-in-streaminfo");
        byte[] flipped = flac.clone();
        for (int i = flac.length / 2; i < flac.length / 2 + 8; i++) {
            flipped[i] ^= 0x5A; // damage the middle of a frame: its CRC-16 no longer matches
        }
        reject(flipped, RejectReason.CORRUPT_AUDIO, "flac-bit-flips");
        byte[] garbage = new byte[200];
        new Random(3).nextBytes(garbage);
        System.arraycopy(ascii("fLaC"), 0, garbage, 0, 4);
        reject(garbage, RejectReason.CORRUPT_AUDIO, "flac-garbage");
    }

    @Test
    void segmentsOutsideTheRecordingAreOutOfRange() {
        byte[] wav = WavBytes.resource("/audio/pcm_s16_mono.wav"); // 300 samples at 16 kHz = 0.01875 s
        byte[] flac = WavBytes.resource("/audio/flac_s24_mono.flac");
        for (byte[] data : new byte[][] {wav, flac}) {
            for (double[] seg : new double[][] {{1.0, 0.5}, {0.01875, -1}, {-0.1, 0.01}, {Double.NaN, 1}}) {
                AudioFormatException e = assertThrows(AudioFormatException.class,
                        () -> AudioDecoder.decode(data, "seg", seg[0], seg[1]));
                assertEquals(RejectReason.SEGMENT_OUT_OF_RANGE, e.reason(),
                        "offset " + seg[0] + " duration " + seg[1] + ": " + e.getMessage());
            }
        }
    }
}
