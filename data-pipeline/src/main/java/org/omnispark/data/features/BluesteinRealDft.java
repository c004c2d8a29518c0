package org.omnispark.data.features;

/**
 * Real DFT of any even size n by Bluestein's chirp-z algorithm, in {@link RealFft}'s packed layout: used when
 * frames are not zero-padded to a power of two ({@code round_to_power_of_two = false}, e.g. n = 400).
 *
 * <p>With {@code jk = (j^2 + k^2 - (k - j)^2) / 2} and the chirp {@code c_j = exp(-i pi j^2 / n)}:
 * {@code X[k] = c_k * sum_j (x_j c_j) conj(c_{k-j})}, a convolution, computed with power-of-two complex FFTs
 * of size {@code M >= 2n - 1}: {@code conv = IFFT(FFT(a) . FFT(b))}, {@code a_j = x_j c_j},
 * {@code b_j = conj(c_{|j|})} (wrapped). FFT(b) / M is precomputed; the inverse FFT is a forward FFT of the
 * conjugate. Chirp angles use {@code j^2 mod 2n} to stay exact for large j. Two size-M FFTs per call;
 * thread-confined (scratch buffer).
 */
final class BluesteinRealDft implements RealFft {
    private final int n;
    private final int size;
    /** [2n] chirp c_j = exp(-i pi j^2 / n), interleaved re, im. */
    private final double[] chirp;
    /** [2M] FFT of the wrapped conjugate chirp, divided by M. */
    private final double[] chirpSpectrum;
    /** [2M] scratch. */
    private final double[] work;
    private final ComplexFft fft;

    BluesteinRealDft(int n) {
        if (n < 2 || n % 2 != 0) {
            throw new IllegalArgumentException("The real DFT needs an even size >= 2, got " + n);
        }
        this.n = n;
        this.size = Integer.highestOneBit(2 * n - 1) << 1;
        this.fft = new ComplexFft(size);
        this.chirp = new double[2 * n];
        for (int j = 0; j < n; j++) {
            long jj = (long) j * j % (2L * n);
            double angle = -Math.PI * jj / n;
            chirp[2 * j] = Math.cos(angle);
            chirp[2 * j + 1] = Math.sin(angle);
        }
        this.chirpSpectrum = new double[2 * size];
        for (int j = 0; j < n; j++) {
            // b_j = conj(c_j) at j and at M - j (negative lags)
            chirpSpectrum[2 * j] = chirp[2 * j];
            chirpSpectrum[2 * j + 1] = -chirp[2 * j + 1];
            if (j > 0) {
                chirpSpectrum[2 * (size - j)] = chirp[2 * j];
                chirpSpectrum[2 * (size - j) + 1] = -chirp[2 * j + 1];
            }
        }
        fft.forward(chirpSpectrum);
        for (int i = 0; i < 2 * size; i++) {
            chirpSpectrum[i] /= size;
        }
        this.work = new double[2 * size];
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public void forward(double[] data) {
        ComplexFft.requireInput(data, n);
        double[] w = work;
        for (int j = 0; j < n; j++) {
            w[2 * j] = data[j] * chirp[2 * j];
            w[2 * j + 1] = data[j] * chirp[2 * j + 1];
        }
        java.util.Arrays.fill(w, 2 * n, 2 * size, 0.0);
        fft.forward(w);
        // Multiply by FFT(b) / M and conjugate, so that a forward FFT gives conj(IFFT(...)).
        double[] b = chirpSpectrum;
        for (int i = 0; i < 2 * size; i += 2) {
            double re = w[i] * b[i] - w[i + 1] * b[i + 1];
            double im = w[i] * b[i + 1] + w[i + 1] * b[i];
            w[i] = re;
            w[i + 1] = -im;
        }
        fft.forward(w);
        int half = n / 2;
        for (int k = 0; k <= half; k++) {
            double convRe = w[2 * k];
            double convIm = -w[2 * k + 1]; // undo the conjugation
            double re = convRe * chirp[2 * k] - convIm * chirp[2 * k + 1];
            double im = convRe * chirp[2 * k + 1] + convIm * chirp[2 * k];
            if (k == 0) {
                data[0] = re;
            } else if (k == half) {
                data[1] = re;
            } else {
                data[2 * k] = re;
                data[2 * k + 1] = im;
            }
        }
    }
}
