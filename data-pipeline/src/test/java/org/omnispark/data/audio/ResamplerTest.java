package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Signal-level properties of {@link Resampler}: pass band, stop band, DC, lengths, identity, concurrency. */
class ResamplerTest {
    private static final int[] SOURCE_RATES = {8000, 11025, 22050, 44100, 48000};
    /** Output samples ignored at each end: the filter sees the zero padding there. */
    private static final int EDGE = 200;

    private static float[] sine(int rate, double hz, double amplitude, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    /** max over the interior of |y[n] - amplitude sin(2 pi hz n / rate)|: amplitude, frequency and timing at once. */
    private static double maxSineError(float[] y, int rate, double hz, double amplitude) {
        double max = 0;
        for (int n = EDGE; n < y.length - EDGE; n++) {
            max = Math.max(max, Math.abs(y[n] - amplitude * Math.sin(2 * Math.PI * hz * n / rate)));
        }
        return max;
    }

    private static double interiorRms(float[] y) {
        double sum = 0;
        for (int n = EDGE; n < y.length - EDGE; n++) {
            sum += y[n] * (double) y[n];
        }
        return Math.sqrt(sum / (y.length - 2 * EDGE));
    }

    @Test
    void outputLengthIsCeilOfInputTimesRatio() {
        // ceil(n * to / from): 11025 * 16000 / 22050 = 8000 exactly; 100 * 16000 / 22050 = 72.56 -> 73;
        // 442 * 16000 / 44100 = 160.36 -> 161; 5 * 16000 / 8000 = 10; 1 * 16000 / 48000 = 0.33 -> 1; 0 -> 0
        int[][] cases = {{22050, 11025, 8000}, {22050, 100, 73}, {44100, 442, 161}, {44100, 441, 160},
            {8000, 5, 10}, {48000, 1, 1}, {48000, 0, 0}};
        for (int[] c : cases) {
            Resampler r = Resampler.of(c[0], 16000);
            assertEquals(c[2], r.outputLength(c[1]), "outputLength " + c[0] + " Hz x " + c[1]);
            assertEquals(c[2], r.resample(new float[c[1]]).length, "resample length " + c[0] + " Hz x " + c[1]);
        }
    }

    @Test
    void equalRatesReturnACopy() {
        float[] x = sine(16000, 440, 0.3, 1000);
        float[] y = Resampler.of(16000, 16000).resample(x);
        assertArrayEquals(x, y, "identity");
        assertNotSame(x, y, "must be a copy, callers may modify it");
    }

    @Test
    void aToneInThePassBandKeepsAmplitudeFrequencyAndTiming() {
        // 1 kHz at amplitude 0.5, 1 s, every source rate -> 16 kHz. Measured max error with the defaults (Hann,
        // 6 zero crossings, 0.99): 8.5e-5 .. 5.1e-4; tolerance 1e-3 (= -54 dB below the tone).
        for (int from : SOURCE_RATES) {
            float[] y = Resampler.of(from, 16000).resample(sine(from, 1000, 0.5, from));
            double err = maxSineError(y, 16000, 1000, 0.5);
            assertTrue(err < 1e-3, from + " Hz -> 16 kHz, 1 kHz tone: max error " + err);
        }
        // 6 kHz (76% of the new Nyquist) needs a longer filter: 16 zero crossings, measured 3.6e-4, tolerance 1e-3.
        // (With the default 6 crossings, 6 kHz comes out at 0.985 of its amplitude.)
        for (int from : new int[] {22050, 44100, 48000}) {
            float[] y = Resampler.of(from, 16000).optZeroCrossings(16).resample(sine(from, 6000, 0.5, from));
            double err = maxSineError(y, 16000, 6000, 0.5);
            assertTrue(err < 1e-3, from + " Hz -> 16 kHz, 6 kHz tone, 16 crossings: max error " + err);
        }
        // Upsampling 8 kHz -> 16 kHz with a Kaiser window: measured 2e-6 at 1 kHz.
        float[] y = Resampler.of(8000, 16000).optWindow(ResamplingWindow.KAISER).resample(sine(8000, 1000, 0.5, 8000));
        assertTrue(maxSineError(y, 16000, 1000, 0.5) < 1e-5, "Kaiser 8k -> 16k");
    }

    @Test
    void aToneAboveTheNewNyquistIsAttenuatedByMoreThan40Db() {
        // Stop band, as RMS out / RMS in. Measured (44.1/48 kHz -> 16 kHz): defaults 10 kHz -45.3 dB, 12 kHz -55.1 dB;
        // 16 crossings 9 kHz -45.6 dB. The defaults' transition band is wide: 8.5 kHz only -10.8 dB, 9 kHz -16.8 dB.
        Object[][] cases = {
            {Resampler.of(44100, 16000), 10000.0}, {Resampler.of(48000, 16000), 12000.0},
            {Resampler.of(22050, 16000), 10000.0}, {Resampler.of(48000, 16000).optZeroCrossings(16), 9000.0}};
        for (Object[] c : cases) {
            Resampler r = (Resampler) c[0];
            double hz = (Double) c[1];
            float[] y = r.resample(sine(r.fromRate(), hz, 0.5, r.fromRate()));
            double db = 20 * Math.log10(interiorRms(y) / (0.5 / Math.sqrt(2)));
            assertTrue(db < -40, r + ", " + hz + " Hz tone: " + db + " dB");
        }
    }

    @Test
    void dcIsPreserved() {
        // The taps of every phase sum to ~1: measured max |y - 0.25| = 1.2e-4 .. 2.2e-4 (defaults); tolerance 5e-4.
        for (int from : SOURCE_RATES) {
            float[] x = new float[from];
            java.util.Arrays.fill(x, 0.25f);
            float[] y = Resampler.of(from, 16000).resample(x);
            for (int n = EDGE; n < y.length - EDGE; n++) {
                assertEquals(0.25, y[n], 5e-4, from + " Hz -> 16 kHz, DC 0.25 at output " + n);
            }
        }
    }

    @Test
    void speedPerturbationScalesFrequencyAndLength() {
        // speed 1.1 at 16 kHz = resample 17600 -> 16000: n = 16000 -> ceil(16000 * 16000 / 17600) = 14546 samples,
        // and a 1 kHz tone comes out at 1.1 kHz; speed 0.9: 14400 -> 16000, ceil(16000 / 0.9) = 17778, 900 Hz.
        float[] x = sine(16000, 1000, 0.5, 16000);
        float[] fast = Resampler.speedPerturb(x, 16000, 1.1);
        float[] slow = Resampler.speedPerturb(x, 16000, 0.9);
        assertEquals(14546, fast.length, "speed 1.1 length");
        assertEquals(17778, slow.length, "speed 0.9 length");
        assertTrue(maxSineError(fast, 16000, 1100, 0.5) < 1e-3, "speed 1.1: 1 kHz -> 1.1 kHz");
        assertTrue(maxSineError(slow, 16000, 900, 0.5) < 1e-3, "speed 0.9: 1 kHz -> 900 Hz");
        assertArrayEquals(Resampler.of(17600, 16000).resample(x), fast, "speed 1.1 == Resampler.of(17600, 16000)");
        assertArrayEquals(x, Resampler.speedPerturb(x, 16000, 1.0), "speed 1.0 is the identity");
    }

    @Test
    void oneInstanceServesManyThreadsAndSurvivesSerialization() throws Exception {
        Resampler shared = Resampler.of(44100, 16000).optZeroCrossings(8); // taps not built yet: threads race
        List<float[]> inputs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            inputs.add(sine(44100, 300 + 200 * t, 0.4, 20000 + 1000 * t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> outs = new ArrayList<>();
            for (float[] in : inputs) {
                outs.add(pool.submit(() -> shared.resample(in)));
            }
            for (int t = 0; t < inputs.size(); t++) {
                float[] alone = Resampler.of(44100, 16000).optZeroCrossings(8).resample(inputs.get(t));
                assertArrayEquals(alone, outs.get(t).get(), "thread " + t + " equals a private instance");
            }
        } finally {
            pool.shutdownNow();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(shared);
        }
        Resampler copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Resampler) in.readObject();
        }
        assertEquals(shared, copy, "deserialized options");
        assertArrayEquals(shared.resample(inputs.get(0)), copy.resample(inputs.get(0)), "deserialized output");
        assertTrue(bytes.size() < 1000, "taps are not serialized: " + bytes.size() + " bytes");
    }

    @Test
    void invalidOptionsAreRefusedWithAHint() {
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(0, 16000));
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(16000, 8000).optLowpassRatio(1.5));
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(16000, 8000).optLowpassRatio(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Resampler.of(16000, 8000).optZeroCrossings(0));
        assertTrue(e.getMessage().contains("6"), "suggests a value: " + e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Resampler.speedPerturb(new float[1], 16000, -1));
        assertThrows(IllegalArgumentException.class,
                () -> Resampler.of(22050, 16000).resample(new Audio(new float[10], 8000)));
        Audio a = Resampler.of(8000, 16000).resample(new Audio(new float[10], 8000));
        assertEquals(16000, a.sampleRate());
        assertEquals(20, a.samples().length);
    }
}
