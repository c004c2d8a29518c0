package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * Agreement with torchaudio 0.13 {@code functional.resample} on 0.5 s of espeak-ng speech at 22050 Hz. The golden
 * outputs come from src/test/python/make_resample_golden.py (torchaudio evaluated in float64, stored as float32);
 * torchaudio's own float32 path differs from them by up to 7.6e-6. Measured here: max |diff| = 6e-8 (one float32
 * ulp at the signal's scale) in every configuration; tolerance 1e-6.
 */
class ResamplerGoldenTest {
    private static final double TOLERANCE = 1e-6;
    /** The interpolated sinc table's error; measured max 2.4e-7 at these rates (the exact taps: 6e-8). */
    private static final double INTERPOLATED_TOLERANCE = 1e-6;

    private static float[] golden(String name) {
        byte[] bytes = WavBytes.resource("/golden/resample/" + name + ".f32");
        FloatBuffer fb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    private static float[] speech() throws AudioFormatException {
        Audio a = AudioDecoder.decode(WavBytes.resource("/audio/speech_22050.wav"), "speech_22050.wav");
        assertEquals(22050, a.sampleRate());
        assertEquals(11025, a.samples().length);
        return a.samples();
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        double max = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(want[i] - got[i]);
            if (d > max) {
                max = d;
                at = i;
            }
        }
        assertTrue(max <= TOLERANCE, what + ": max |java - torchaudio| = " + max + " at sample " + at);
    }

    @Test
    void matchesTorchaudioHannDefaults() throws Exception {
        assertClose(golden("hann_22050_16000_w6_r0.99"), Resampler.of(22050, 16000).resample(speech()),
                "22050 -> 16000, hann, width 6, rolloff 0.99");
    }

    @Test
    void matchesTorchaudioLongFilterLowRolloff() throws Exception {
        assertClose(golden("hann_22050_8000_w16_r0.945"),
                Resampler.of(22050, 8000).optZeroCrossings(16).optLowpassRatio(0.945).resample(speech()),
                "22050 -> 8000, hann, width 16, rolloff 0.945");
    }

    @Test
    void matchesTorchaudioKaiser() throws Exception {
        assertClose(golden("kaiser_22050_16000_w6_r0.99"),
                Resampler.of(22050, 16000).optWindow(ResamplingWindow.KAISER).resample(speech()),
                "22050 -> 16000, kaiser beta 14.77, width 6, rolloff 0.99");
    }

    @Test
    void matchesTorchaudioUpsampling() throws Exception {
        assertClose(golden("hann_22050_24000_w6_r0.99"), Resampler.of(22050, 24000).resample(speech()),
                "22050 -> 24000, hann, width 6, rolloff 0.99");
    }

    @Test
    void speedPerturbationMatchesTorchaudioResampleFromTheScaledRate() throws Exception {
        // speed 1.1 at 22050 Hz = torchaudio resample(x, 24255, 22050)
        assertClose(golden("speed1.1_hann_24255_22050_w6_r0.99"), Resampler.speedPerturb(speech(), 22050, 1.1),
                "speed 1.1 at 22050 Hz");
    }

    /** Odd rates: a WAV header's 16035 or 16090 Hz, 1 Hz drifts (gcd 1), a 1001 Hz recording, a wide filter. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"16035, 16000, 6, 0.99", "16090, 16000, 6, 0.99",
        "44101, 16000, 6, 0.99", "7999, 16000, 6, 0.99", "1001, 16000, 6, 0.99", "16001, 16000, 16, 0.945"})
    void matchesTorchaudioAtOddRates(int from, int to, int width, double rolloff) throws Exception {
        String name = String.format("hann_%d_%d_w%d_r%s", from, to, width, rolloff);
        Resampler r = Resampler.of(from, to).optZeroCrossings(width).optLowpassRatio(rolloff);
        assertClose(golden(name), r.resample(speech()), name);
    }

    /** The interpolated-table kernel (used when exact taps would pass 1M) against torchaudio at the same odd rates. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"16035, 16000, 6, 0.99, 3207, 3200", "44101, 16000, 6, 0.99,"
        + " 44101, 16000", "7999, 16000, 6, 0.99, 7999, 16000", "16001, 16000, 16, 0.945, 16001, 16000",
        "22050, 8000, 16, 0.945, 441, 160"})
    void theInterpolatedKernelMatchesTorchaudioToo(int from, int to, int width, double rolloff, int in, int out)
            throws Exception {
        String name = String.format("hann_%d_%d_w%d_r%s", from, to, width, rolloff);
        float[] got = new InterpolatedSincFilter(in, out, rolloff, width, ResamplingWindow.HANN,
                Resampler.DEFAULT_KAISER_BETA).apply(speech());
        float[] want = golden(name);
        assertEquals(want.length, got.length, name);
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i] - got[i]));
        }
        assertTrue(max <= INTERPOLATED_TOLERANCE, name + ": interpolated kernel max |java - torchaudio| = " + max);
    }

    /**
     * Rates beyond torchaudio's reach here (its kernel holds new x orig values: 383999 x 16000 does not fit in memory):
     * the Resampler picks the interpolated kernel, and it must agree with the exact polyphase taps (checked against
     * torchaudio above) computed directly.
     */
    @Test
    void rateNearTheTopOfTheRangeAgreesWithTheExactTaps() throws Exception {
        int from = 383_999;
        float[] x = speech();
        float[] viaResampler = Resampler.of(from, 16000).resample(x);
        float[] exact = new PolyphaseFilter(from, 16000, 0.99, 6, ResamplingWindow.HANN,
                Resampler.DEFAULT_KAISER_BETA).apply(x);
        assertEquals(exact.length, viaResampler.length);
        double max = 0;
        for (int i = 0; i < exact.length; i++) {
            max = Math.max(max, Math.abs(exact[i] - viaResampler[i]));
        }
        assertTrue(max <= INTERPOLATED_TOLERANCE && max > 0, "383999 -> 16000: interpolated vs exact " + max
                + " (0 would mean the exact table was used, which is over its 1M-tap budget)");
    }
}
