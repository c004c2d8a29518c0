package org.omnispark.data.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@link RealFft} against a naive DFT written here, plus hand-computed spectra. */
class RealFftTest {

    /** X[k] = sum_j x[j] (cos(2 pi jk/n) - i sin(2 pi jk/n)), k = 0..n/2, packed as RealFft documents. */
    static double[] naivePacked(double[] x) {
        int n = x.length;
        double[] out = new double[n];
        for (int k = 0; k <= n / 2; k++) {
            double re = 0;
            double im = 0;
            for (int j = 0; j < n; j++) {
                double angle = 2 * Math.PI * ((long) j * k % n) / n;
                re += x[j] * Math.cos(angle);
                im -= x[j] * Math.sin(angle);
            }
            if (k == 0) {
                out[0] = re;
            } else if (k == n / 2) {
                out[1] = re;
            } else {
                out[2 * k] = re;
                out[2 * k + 1] = im;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {8, 16, 32, 64, 128, 256, 512, 1024, 2048, 2, 6, 200, 400, 550})
    void matchesNaiveDftOnRandomInput(int n) {
        Random random = new Random(1234 + n);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian() * 1000;
        }
        double[] expected = naivePacked(x);
        double[] actual = x.clone();
        RealFft fft = RealFft.create(n);
        assertEquals(n, fft.size());
        fft.forward(actual);
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < n; i++) {
            // double rounding: error ~ 1e-16 * log2(n) * max|X|; allow 1e-12 relative to the largest value.
            assertEquals(expected[i], actual[i], 1e-12 * scale, "n=" + n + " packed index " + i);
        }
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {8, 32, 256, 512, 400})
    void powerSpectrumIsTheSquaredMagnitudeOfForward(int n) {
        Random random = new Random(77 + n);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian() * 1000;
        }
        double[] packed = naivePacked(x);
        double[] power = new double[n / 2];
        RealFft.create(n).powerSpectrum(x.clone(), power);
        double max = 0;
        for (int k = 0; k < n / 2; k++) {
            double re = k == 0 ? packed[0] : packed[2 * k];
            double im = k == 0 ? 0 : packed[2 * k + 1];
            max = Math.max(max, re * re + im * im);
        }
        for (int k = 0; k < n / 2; k++) {
            double re = k == 0 ? packed[0] : packed[2 * k];
            double im = k == 0 ? 0 : packed[2 * k + 1];
            assertEquals(re * re + im * im, power[k], 1e-12 * max, "n=" + n + " |X[" + k + "]|^2");
        }
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {2, 6, 10, 62, 64, 200, 400, 550, 1000})
    void bluesteinAndDirectDftAgree(int n) {
        Random random = new Random(5 + n);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian() * 1000;
        }
        double[] direct = x.clone();
        new DirectRealDft(n).forward(direct);
        double[] bluestein = x.clone();
        new BluesteinRealDft(n).forward(bluestein);
        double scale = 0;
        for (double v : direct) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(direct[i], bluestein[i], 1e-11 * scale, "n=" + n + " packed index " + i);
        }
    }

    @Test
    void impulseHasAFlatSpectrum() {
        // x = delta[j]: X[k] = 1 for every k.
        double[] x = new double[16];
        x[0] = 1;
        RealFft.create(16).forward(x);
        assertEquals(1.0, x[0], 1e-15, "X[0]");
        assertEquals(1.0, x[1], 1e-15, "X[n/2]");
        for (int k = 1; k < 8; k++) {
            assertEquals(1.0, x[2 * k], 1e-15, "Re X[" + k + "]");
            assertEquals(0.0, x[2 * k + 1], 1e-15, "Im X[" + k + "]");
        }
    }

    @Test
    void cosineAndSineLandInTheirBin() {
        // x[j] = cos(2 pi 3 j / 32) + 2 sin(2 pi 5 j / 32): X[3] = n/2 = 16; X[5] = -i * 2 * n/2 = -32i.
        int n = 32;
        double[] x = new double[n];
        for (int j = 0; j < n; j++) {
            x[j] = Math.cos(2 * Math.PI * 3 * j / n) + 2 * Math.sin(2 * Math.PI * 5 * j / n);
        }
        new PowerOfTwoRealFft(n).forward(x);
        for (int k = 1; k < n / 2; k++) {
            double re = k == 3 ? 16 : 0;
            double im = k == 5 ? -32 : 0;
            assertEquals(re, x[2 * k], 1e-12, "Re X[" + k + "]");
            assertEquals(im, x[2 * k + 1], 1e-12, "Im X[" + k + "]");
        }
        assertEquals(0, x[0], 1e-12, "X[0]");
        assertEquals(0, x[1], 1e-12, "X[n/2]");
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> new PowerOfTwoRealFft(12));
        assertThrows(IllegalArgumentException.class, () -> RealFft.create(7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RealFft.create(64).forward(new double[32]));
        assertTrue(e.getMessage().contains("64"), e.getMessage());
    }
}
