package org.omnispark.data.audio;

/**
 * The window that tapers the sinc lowpass of a {@link Resampler}, as a function of t, the distance from the filter
 * centre in zero crossings of the sinc, |t| &lt;= zeroCrossings. Both match torchaudio's
 * {@code functional.resample} ({@code sinc_interpolation}, {@code kaiser_window}).
 */
public enum ResamplingWindow {
    /** Hann: cos(pi t / (2 zeroCrossings))^2. torchaudio's default ("sinc_interpolation" / "sinc_interp_hann"). */
    HANN,
    /** Kaiser: I0(beta sqrt(1 - (t / zeroCrossings)^2)) / I0(beta); steeper stop band for the same width. */
    KAISER;

    /** The window's value at t (in zero crossings) for a filter of the given half-width. */
    double value(double t, int zeroCrossings, double kaiserBeta) {
        double r = t / zeroCrossings;
        if (Math.abs(r) > 1) {
            return 0;
        }
        if (this == HANN) {
            double c = Math.cos(Math.PI * r / 2);
            return c * c;
        }
        return besselI0(kaiserBeta * Math.sqrt(1 - r * r)) / besselI0(kaiserBeta);
    }

    /** sinc(t) x window(t), sinc(t) = sin(pi t) / (pi t): the lowpass's impulse response at t zero crossings. */
    double windowedSinc(double t, int zeroCrossings, double kaiserBeta) {
        double sinc = t == 0 ? 1.0 : Math.sin(Math.PI * t) / (Math.PI * t);
        return sinc * value(t, zeroCrossings, kaiserBeta);
    }

    /** Modified Bessel function of the first kind, order 0: sum_k ((x/2)^k / k!)^2, to double precision. */
    static double besselI0(double x) {
        double term = 1;
        double sum = 1;
        double half = x / 2;
        for (int k = 1; k < 500; k++) {
            term *= (half / k) * (half / k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }
}
