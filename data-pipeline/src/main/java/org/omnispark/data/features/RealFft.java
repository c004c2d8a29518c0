package org.omnispark.data.features;

/**
 * Forward discrete Fourier transform of a real frame, in place, in Kaldi's packed layout.
 *
 * <p>For input {@code x[0..n-1]} (n even) the spectrum is {@code X[k] = sum_j x[j] exp(-2 pi i j k / n)};
 * only {@code k = 0 .. n/2} are kept (the rest are conjugates). Output layout in the same array:
 * {@code data[0] = Re X[0]}, {@code data[1] = Re X[n/2]} (both are real), and for {@code k = 1 .. n/2-1}:
 * {@code data[2k] = Re X[k]}, {@code data[2k+1] = Im X[k]}.
 *
 * <p>Implementations hold scratch state: an instance is thread-confined.
 */
public interface RealFft {

    /** The transform size n (number of real input samples). */
    int size();

    /**
     * Transforms {@code data[0..n-1]} in place into the packed spectrum described above.
     *
     * @param data [n] real samples in, packed spectrum out; only the first n entries are touched
     */
    void forward(double[] data);

    /**
     * Power spectrum {@code power[k] = |X[k]|^2} for {@code k = 0 .. n/2 - 1} (the Nyquist bin is left out,
     * as Kaldi's mel filters ignore it). {@code data} is used as scratch and left in an unspecified state.
     *
     * @param data [n] real samples (destroyed)
     * @param power receives [n/2] values
     */
    default void powerSpectrum(double[] data, double[] power) {
        forward(data);
        power[0] = data[0] * data[0];
        int half = size() / 2;
        for (int k = 1; k < half; k++) {
            double re = data[2 * k];
            double im = data[2 * k + 1];
            power[k] = re * re + im * im;
        }
    }

    /**
     * The fastest transform for size {@code n}: {@link PowerOfTwoRealFft} when n is a power of two (at least
     * 8); otherwise Bluestein's algorithm (two power-of-two complex FFTs of size >= 2n - 1: several times
     * slower than a power of two of similar size), or a direct O(n^2) DFT below 64 points.
     *
     * @param n even transform size, at least 2
     */
    static RealFft create(int n) {
        if (n >= 8 && Integer.bitCount(n) == 1) {
            return new PowerOfTwoRealFft(n);
        }
        return n < 64 ? new DirectRealDft(n) : new BluesteinRealDft(n);
    }
}
