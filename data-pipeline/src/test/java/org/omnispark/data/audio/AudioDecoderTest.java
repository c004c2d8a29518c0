package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Decoding of valid files: the sox/flac-written fixtures of src/test/scripts/make_audio_fixtures.sh, whose samples
 * are known by formula, and WAVs built byte by byte.
 */
class AudioDecoderTest {
    private static final int FRAMES = 300;
    private static final int RATE = 16000;

    /**
     * The fixtures' stored value: v_b(i, c) = ((i * P[c] + Q[c]) mod 2^b) - 2^(b-1), P = (7919, 104729),
     * Q = (1, 12345).
     */
    static long v(int bits, int i, int c) {
        long p = c == 0 ? 7919 : 104729;
        long q = c == 0 ? 1 : 12345;
        return ((i * p + q) % (1L << bits)) - (1L << (bits - 1));
    }

    /** Expected mono value: mean over channels of v_b / 2^(b-1), computed in float (exact for 8 and 16 bits). */
    private static float[] expected(int bits, int channels) {
        float[] out = new float[FRAMES];
        float scale = (float) Math.scalb(1.0, bits - 1);
        for (int i = 0; i < FRAMES; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += v(bits, i, c) / scale;
            }
            out[i] = sum / channels;
        }
        return out;
    }

    private static Audio decodeResource(String name) throws AudioFormatException {
        Audio a = AudioDecoder.decode(WavBytes.resource("/audio/" + name), name);
        assertEquals(RATE, a.sampleRate(), name + " sample rate");
        assertEquals(FRAMES, a.samples().length, name + " frames");
        return a;
    }

    @Test
    void pcm8UnsignedStereoIsExact() throws Exception {
        // frame 0: v = (1 mod 256) - 128 = -127 (byte 1) and (12345 mod 256) - 128 = 57 - 128 = -71 (byte 57)
        // -> (-127/128 + -71/128) / 2 = -198/256 = -0.7734375
        float[] got = decodeResource("pcm_u8_stereo.wav").samples();
        assertEquals(-198 / 256f, got[0], 0f, "frame 0 of pcm_u8_stereo.wav");
        assertArrayEquals(expected(8, 2), got, "8-bit unsigned stereo, mean of (u-128)/128");
    }

    @Test
    void pcm16MonoAndStereoAreExact() throws Exception {
        // frame 1 of channel 0: 7919 + 1 - 32768 = -24848 -> -24848 / 32768 = -0.758300781...
        float[] mono = decodeResource("pcm_s16_mono.wav").samples();
        assertEquals(-24848 / 32768f, mono[1], 0f, "frame 1 of pcm_s16_mono.wav");
        assertArrayEquals(expected(16, 1), mono, "16-bit mono, s/32768");
        assertArrayEquals(expected(16, 2), decodeResource("pcm_s16_stereo.wav").samples(), "16-bit stereo mean");
    }

    @Test
    void pcm24StereoExtensibleMatchesWithinOneUlp() throws Exception {
        // sox writes 24-bit as WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE); the mean of two 24-bit values needs 25 bits, so
        // float rounding may differ by one ulp (<= 6e-8 below 1.0) between the two evaluation orders.
        byte[] data = WavBytes.resource("/audio/pcm_s24_stereo.wav");
        assertEquals(0xFFFE, (data[20] & 0xFF) | (data[21] & 0xFF) << 8, "fixture must be WAVE_FORMAT_EXTENSIBLE");
        assertArrayEquals(expected(24, 2), decodeResource("pcm_s24_stereo.wav").samples(), 6e-8f, "24-bit stereo");
    }

    @Test
    void pcm32MonoExtensibleMatchesToFloatPrecision() throws Exception {
        // v / 2^31 rounded once to float: error <= half an ulp (<= 6e-8 below 1.0)
        float[] got = decodeResource("pcm_s32_mono.wav").samples();
        for (int i = 0; i < FRAMES; i++) {
            assertEquals(v(32, i, 0) / 2147483648.0, got[i], 6e-8, "32-bit frame " + i);
        }
    }

    @Test
    void floatWavsEqualThe16BitOnes() throws Exception {
        // the float fixtures store v_16 / 32768, exactly representable in float32 and float64
        assertArrayEquals(expected(16, 2), decodeResource("float32_stereo.wav").samples(), "float32 stereo");
        assertArrayEquals(expected(16, 1), decodeResource("float64_mono.wav").samples(), "float64 mono");
    }

    @Test
    void flacDecodesToTheSameSamplesAsWav() throws Exception {
        assertArrayEquals(decodeResource("pcm_s16_stereo.wav").samples(),
                decodeResource("flac_s16_stereo.flac").samples(), "FLAC 16-bit stereo == WAV 16-bit stereo");
        assertArrayEquals(expected(24, 1), decodeResource("flac_s24_mono.flac").samples(), "FLAC 24-bit mono");
        // the same FLAC behind a 20-byte ID3v2 tag (10-byte header, syncsafe size 20) as some taggers write it
        byte[] flac = WavBytes.resource("/audio/flac_s16_stereo.flac");
        byte[] tagged = new byte[30 + flac.length];
        System.arraycopy(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 20}, 0, tagged, 0, 10);
        System.arraycopy(flac, 0, tagged, 30, flac.length);
        assertArrayEquals(expected(16, 2), AudioDecoder.decode(tagged, "id3.flac").samples(), "ID3-tagged FLAC");
    }

    @Test
    void byteBuiltExtensibleAndPlainHeadersAgree() throws Exception {
        byte[] pcm = WavBytes.s16(0, 16384, -32768, 32767);
        Audio plain = AudioDecoder.decode(WavBytes.riff(WavBytes.fmt(WavBytes.PCM, 1, 8000, 2, 16),
                WavBytes.chunk("data", pcm)), "plain");
        Audio ext = AudioDecoder.decode(WavBytes.riff(WavBytes.fmtExtensible(WavBytes.PCM, 1, 8000, 16, 16),
                WavBytes.chunk("LIST", new byte[] {1, 2, 3}), WavBytes.chunk("data", pcm)), "ext");
        // 0/32768, 16384/32768 = 0.5, -32768/32768 = -1, 32767/32768 = 0.999969482421875
        float[] want = {0f, 0.5f, -1f, 32767 / 32768f};
        assertArrayEquals(want, plain.samples(), "plain PCM header");
        assertArrayEquals(want, ext.samples(), "extensible header, with an odd-sized LIST chunk before data");
        assertEquals(8000, ext.sampleRate());
    }

    @Test
    void streamingDataSizesReadToTheEndOfFile() throws Exception {
        byte[] fmt = WavBytes.fmt(WavBytes.PCM, 2, 16000, 4, 16);
        byte[] pcm = WavBytes.s16(100, 300, -200, -400, 7); // 2 whole stereo frames + 1 dangling sample
        float[] want = {200 / 32768f, -300 / 32768f}; // (100+300)/2, (-200-400)/2
        for (long declared : new long[] {0xFFFFFFFFL, 0L}) {
            byte[] wav = WavBytes.riff(fmt, WavBytes.chunk("data", declared, pcm));
            assertArrayEquals(want, AudioDecoder.decode(wav, "streamed").samples(),
                    "data size " + Long.toHexString(declared) + " must mean 'to the end', whole frames only");
        }
        byte[] empty = WavBytes.riff(fmt, WavBytes.chunk("data", new byte[0]));
        assertEquals(0, AudioDecoder.decode(empty, "empty-data").samples().length, "data size 0, nothing after");
    }

    @Test
    void segmentsAreSlicesOfTheWholeFile() throws Exception {
        for (String name : new String[] {"pcm_s16_stereo.wav", "flac_s16_stereo.flac", "flac_s24_mono.flac"}) {
            byte[] data = WavBytes.resource("/audio/" + name);
            float[] all = AudioDecoder.decode(data, name).samples();
            // offset 0.001 s -> sample 16, duration 0.002 s -> 32 samples
            assertArrayEquals(Arrays.copyOfRange(all, 16, 48), AudioDecoder.decode(data, name, 0.001, 0.002)
                    .samples(), name + " [16, 48)");
            // to the end from sample 160
            assertArrayEquals(Arrays.copyOfRange(all, 160, FRAMES), AudioDecoder.decode(data, name, 0.01, -1)
                    .samples(), name + " [160, end)");
            // an end past the recording is clipped: [160, 300)
            assertEquals(FRAMES - 160, AudioDecoder.decode(data, name, 0.01, 5.0).samples().length,
                    name + " clipped");
            assertEquals(0, AudioDecoder.decode(data, name, 0.01, 0).samples().length, name + " zero duration");
        }
    }
}
