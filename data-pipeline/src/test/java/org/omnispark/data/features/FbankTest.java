package org.omnispark.data.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.omnispark.data.audio.Audio;

/** Hand-computed pieces of {@link Fbank}, {@link MelBanks} and {@link WindowType}, and behavioural checks. */
class FbankTest {
    /** log(FLT_EPSILON) = log(2^-23) = -23 ln 2 = -15.942385. */
    private static final float LOG_FLOOR = (float) (-23 * Math.log(2));

    @Test
    void melScaleOf1000Hz() {
        // 1127 ln(1 + 1000/700) = 1127 ln(17/7) = 1127 * 0.8873032 = 999.99070
        assertEquals(999.9907007660, MelBanks.melScale(1000.0), 1e-9, "mel(1000 Hz)");
        assertEquals(0.0, MelBanks.melScale(0.0), 0.0, "mel(0 Hz)");
        for (double hz : new double[] {20, 440, 3999.5, 8000}) {
            assertEquals(hz, MelBanks.inverseMelScale(MelBanks.melScale(hz)), 1e-9, "inverse mel round trip " + hz);
        }
    }

    @Test
    void windowValuesAtHandComputedPoints() {
        // N = 5: a = 2 pi / 4; i = 1: cos(pi/2) = 0; i = 2: cos(pi) = -1.
        double[] povey = WindowType.POVEY.create(5, 0.42);
        assertEquals(0.0, povey[0], 1e-15, "povey[0] = 0^0.85");
        assertEquals(0.5547847360339225, povey[1], 1e-12, "povey[1] = 0.5^0.85");
        assertEquals(1.0, povey[2], 1e-15, "povey[2] = 1^0.85");
        // N = 400, i = 100: (0.5 - 0.5 cos(2 pi 100 / 399))^0.85 = 0.55664066
        assertEquals(0.5566406644983896, WindowType.POVEY.create(400, 0.42)[100], 1e-12, "povey N=400 i=100");
        assertEquals(0.5, WindowType.HANNING.create(5, 0.42)[1], 1e-15, "hann[1] = 0.5 - 0.5*0");
        assertEquals(0.54, WindowType.HAMMING.create(5, 0.42)[1], 1e-15, "hamming[1] = 0.54 - 0.46*0");
        assertEquals(0.08, WindowType.HAMMING.create(5, 0.42)[0], 1e-15, "hamming[0] = 0.54 - 0.46");
        // blackman, c = 0.42: i = 1: 0.42 - 0.5*0 + 0.08*cos(pi) = 0.34; i = 2: 0.42 + 0.5 + 0.08 = 1.0
        double[] blackman = WindowType.BLACKMAN.create(5, 0.42);
        assertEquals(0.34, blackman[1], 1e-15, "blackman[1]");
        assertEquals(1.0, blackman[2], 1e-15, "blackman[2]");
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, WindowType.RECTANGULAR.create(5, 0.42), "rectangular");
    }

    @Test
    void numFramesFollowsKaldisFormula() {
        Fbank snip = new Fbank(FbankOptions.defaults()); // L = 400, S = 160
        // snip_edges: n < L ? 0 : 1 + (n - L) / S
        assertEquals(0, snip.numFrames(399), "399 < 400");
        assertEquals(1, snip.numFrames(400), "1 + 0/160");
        assertEquals(1, snip.numFrames(559), "1 + 159/160");
        assertEquals(2, snip.numFrames(560), "1 + 160/160");
        assertEquals(98, snip.numFrames(16000), "1 + 15600/160");
        Fbank noSnip = new Fbank(FbankOptions.builder().optSnipEdges(false).build());
        // no snip_edges: (n + S/2) / S
        assertEquals(0, noSnip.numFrames(79), "(79 + 80) / 160");
        assertEquals(1, noSnip.numFrames(80), "(80 + 80) / 160");
        assertEquals(100, noSnip.numFrames(16000), "(16000 + 80) / 160");
        assertEquals(6, noSnip.numFrames(1000), "(1000 + 80) / 160");
        assertFalse(snip.hasFrames(399));
        assertTrue(snip.hasFrames(400));
        assertTrue(noSnip.hasFrames(80));
        assertEquals(0, snip.numFrames(0));
    }

    @Test
    void tooShortInputThrowsWithAHint() {
        Fbank fbank = new Fbank(FbankOptions.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fbank.compute(new float[399], 0L));
        assertTrue(e.getMessage().contains("399") && e.getMessage().contains("TOO_SHORT"), e.getMessage());
        assertEquals(80, fbank.compute(new float[400], 0L).length, "exactly one frame");
    }

    @Test
    void shortInputWithoutSnipEdgesIsReflected() {
        // 100 samples, no snip_edges: (100 + 80) / 160 = 1 frame, built by reflecting the 100 samples.
        Fbank fbank = new Fbank(FbankOptions.builder().optSnipEdges(false).build());
        float[] x = randomSpeechLike(100, 7);
        float[] out = fbank.compute(x, 0L);
        assertEquals(80, out.length);
        for (float v : out) {
            assertTrue(Float.isFinite(v) && v > LOG_FLOOR, "finite and above the floor: " + v);
        }
    }

    @Test
    void dcOnlyInputGivesTheLogFloor() {
        // 0.5 * 32768 = 16384 in every sample: the frame mean is removed exactly, so the spectrum is 0.
        float[] x = new float[1600];
        Arrays.fill(x, 0.5f);
        for (float v : new Fbank(FbankOptions.defaults()).compute(x, 0L)) {
            assertEquals(LOG_FLOOR, v, 0f, "log(max(0, eps))");
        }
    }

    @Test
    void rawLogEnergyColumnIsTheDcRemovedFrameEnergy() {
        FbankOptions options = FbankOptions.builder().optUseEnergy(true).build();
        Fbank fbank = new Fbank(options);
        float[] x = randomSpeechLike(560, 3);
        float[] out = fbank.compute(x, 0L);
        assertEquals(2 * 81, out.length, "2 frames x (1 + 80)");
        for (int f = 0; f < 2; f++) {
            // energy = sum_i (32768 x[i] - mean)^2 over the frame's 400 samples, log taken.
            double mean = 0;
            for (int i = 0; i < 400; i++) {
                mean += 32768.0 * x[f * 160 + i];
            }
            mean /= 400;
            double energy = 0;
            for (int i = 0; i < 400; i++) {
                double v = 32768.0 * x[f * 160 + i] - mean;
                energy += v * v;
            }
            assertEquals(Math.log(energy), out[f * 81], 1e-5, "log energy of frame " + f);
        }
    }

    @Test
    void toneLandsInTheFilterWithTheNearestCenter() {
        // A 1000 Hz tone: the largest filter output is the one whose center frequency is closest to 1000 Hz;
        // center of filter b = invmel(mel(20) + (b + 1) * (mel(8000) - mel(20)) / 81).
        float[] x = new float[4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 1000 * i / 16000.0));
        }
        float[] out = new Fbank(FbankOptions.defaults()).compute(x, 0L);
        double delta = (MelBanks.melScale(8000) - MelBanks.melScale(20)) / 81;
        int nearest = 0;
        for (int b = 0; b < 80; b++) {
            double center = MelBanks.inverseMelScale(MelBanks.melScale(20) + (b + 1) * delta);
            double best = MelBanks.inverseMelScale(MelBanks.melScale(20) + (nearest + 1) * delta);
            if (Math.abs(center - 1000) < Math.abs(best - 1000)) {
                nearest = b;
            }
        }
        for (int f = 0; f < out.length / 80; f++) {
            int argmax = 0;
            for (int b = 1; b < 80; b++) {
                if (out[f * 80 + b] > out[f * 80 + argmax]) {
                    argmax = b;
                }
            }
            assertEquals(nearest, argmax, "frame " + f + ": filter with the largest output");
        }
    }

    @Test
    void adjacentMelTrianglesSumToOne() {
        // Filter b's falling edge and filter b+1's rising edge share their end points, so for every FFT bin
        // between the first and the last center the weights add up to 1 (up to float32 weights).
        MelBanks banks = new MelBanks(23, 512, 16000, 20, 8000);
        double[] sum = new double[256];
        for (int b = 0; b < 23; b++) {
            double[] w = banks.weights(b);
            for (int i = 0; i < w.length; i++) {
                assertTrue(w[i] > 0 && w[i] <= 1, "weight in (0, 1]: filter " + b + " value " + w[i]);
                sum[banks.firstFftBin(b) + i] += w[i];
            }
        }
        double delta = (MelBanks.melScale(8000) - MelBanks.melScale(20)) / 24;
        for (int i = 0; i < 256; i++) {
            double mel = MelBanks.melScale(i * 16000.0 / 512);
            if (mel > MelBanks.melScale(20) + delta && mel < MelBanks.melScale(20) + 23 * delta) {
                assertEquals(1.0, sum[i], 1e-5, "sum of weights at FFT bin " + i);
            }
        }
    }

    @Test
    void ditherIsReproducibleBySeed() {
        float[] x = randomSpeechLike(3200, 11);
        Fbank dithered = new Fbank(FbankOptions.builder().optDither(1.0).build());
        float[] a = dithered.compute(x, 42L);
        assertArrayEquals(a, dithered.compute(x, 42L), "same seed, same output");
        assertFalse(Arrays.equals(a, dithered.compute(x, 43L)), "another seed changes the output");
        Fbank plain = new Fbank(FbankOptions.defaults());
        assertArrayEquals(plain.compute(x, 1L), plain.compute(x, 2L), "dither 0 ignores the seed");
        // Dither of std 1 (int16 scale) on a loud signal moves log-mel values only slightly.
        float[] clean = plain.compute(x, 0L);
        for (int i = 0; i < a.length; i++) {
            assertEquals(clean[i], a[i], 0.05, "dithered vs clean at " + i);
        }
    }

    @Test
    void instanceIsReusableAndComputeIntoHonoursTheOffset() {
        Fbank fbank = new Fbank(FbankOptions.defaults());
        float[] x = randomSpeechLike(2000, 5);
        float[] y = randomSpeechLike(1000, 6);
        float[] first = fbank.compute(x, 0L);
        fbank.compute(y, 0L);
        assertArrayEquals(first, fbank.compute(x, 0L), "no state leaks between calls");
        float[] buf = new float[7 + first.length];
        assertEquals(fbank.numFrames(x.length), fbank.computeInto(x, 0L, buf, 7));
        assertArrayEquals(first, Arrays.copyOfRange(buf, 7, buf.length), "computeInto at offset 7");
        assertThrows(IllegalArgumentException.class, () -> fbank.computeInto(x, 0L, new float[10], 0));
    }

    @Test
    void audioOverloadChecksTheSampleRate() {
        Fbank fbank = new Fbank(FbankOptions.defaults());
        float[] x = randomSpeechLike(1600, 8);
        assertArrayEquals(fbank.compute(x, 0L), fbank.compute(new Audio(x, 16000), 0L), "same as compute(float[])");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fbank.compute(new Audio(x, 8000), 0L));
        assertTrue(e.getMessage().contains("8000") && e.getMessage().contains("resample"), e.getMessage());
    }

    @Test
    void tooManyMelBinsForTheFftIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Fbank(FbankOptions.builder().optSampleFrequency(8000).optNumMelBins(128).build()));
        assertTrue(e.getMessage().contains("num_mel_bins"), e.getMessage());
    }

    /** Noise shaped like speech level: int16-scale std around 3000. */
    static float[] randomSpeechLike(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        double state = 0;
        for (int i = 0; i < n; i++) {
            state = 0.9 * state + random.nextGaussian() * 0.05;
            x[i] = (float) Math.max(-1, Math.min(0.999, state));
        }
        return x;
    }
}
