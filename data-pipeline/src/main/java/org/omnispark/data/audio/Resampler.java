package org.omnispark.data.audio;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited resampling between two integer sample rates with a windowed-sinc polyphase filter, numerically the
 * same as torchaudio's {@code functional.resample} with the same options (see {@link PolyphaseFilter}).
 *
 * <pre>{@code
 * Resampler r = Resampler.of(22050, 16000).optZeroCrossings(16).optLowpassRatio(0.945);
 * float[] y = r.resample(x); // y.length == ceil(x.length * 16000 / 22050)
 * }</pre>
 *
 * <ul>
 *   <li>Any two positive integer rates. The rates are divided by their gcd; the filter has one row of taps per
 *       output phase (toRate / gcd rows), computed once, lazily, on first use. When that table would pass 1M taps
 *       (odd rates such as 383999 -> 16000, or wide filters) an interpolated sinc table of fixed size is used
 *       instead ({@link InterpolatedSincFilter}), within 3e-7 of the exact result (measured).</li>
 *   <li>Lowpass cutoff = lowpassRatio x the lower of the two Nyquist frequencies (default 0.99, torchaudio's
 *       {@code rolloff}).</li>
 *   <li>Filter half-width = zeroCrossings zero crossings of the sinc at that cutoff (default 6, torchaudio's
 *       {@code lowpass_filter_width}); taps per phase about 2 x zeroCrossings x max(1, from / to) / lowpassRatio.</li>
 *   <li>Output length = ceil(input length x toRate / fromRate); the signal is zero outside the input, so the first
 *       and last ~zeroCrossings output samples see the edge.</li>
 *   <li>Equal rates: {@link #resample} returns a copy of the input.</li>
 * </ul>
 * Immutable, thread-safe (one instance may serve many threads) and Serializable (the taps are rebuilt after
 * deserialization). The {@code opt*} methods return a new instance.
 */
public final class Resampler implements Serializable {
    private static final long serialVersionUID = 1L;
    /** torchaudio's default rolloff. */
    public static final double DEFAULT_LOWPASS_RATIO = 0.99;
    /** torchaudio's default lowpass_filter_width. */
    public static final int DEFAULT_ZERO_CROSSINGS = 6;
    /** torchaudio's default Kaiser beta. */
    public static final double DEFAULT_KAISER_BETA = 14.769656459379492;
    private static final int MAX_CACHED_SPEED_RESAMPLERS = 64;
    private static final Map<Resampler, Resampler> SPEED_RESAMPLERS = new ConcurrentHashMap<>();

    private final int fromRate;
    private final int toRate;
    private final double lowpassRatio;
    private final int zeroCrossings;
    private final ResamplingWindow window;
    private final double kaiserBeta;
    private transient volatile ResamplingKernel filter;

    private Resampler(int fromRate, int toRate, double lowpassRatio, int zeroCrossings, ResamplingWindow window,
            double kaiserBeta) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive, got " + fromRate + " -> " + toRate);
        }
        if (!(lowpassRatio > 0 && lowpassRatio <= 1)) {
            throw new IllegalArgumentException("lowpassRatio must be in (0, 1] (fraction of the lower Nyquist),"
                    + " got " + lowpassRatio + "; 0.99 is the usual choice");
        }
        if (zeroCrossings < 1 || zeroCrossings > 256) {
            throw new IllegalArgumentException("zeroCrossings must be in [1, 256], got " + zeroCrossings
                    + "; 6 (fast) to 16 (sharper) are the usual choices");
        }
        if (!(kaiserBeta > 0) || Double.isInfinite(kaiserBeta)) {
            throw new IllegalArgumentException("kaiserBeta must be positive and finite, got " + kaiserBeta);
        }
        this.fromRate = fromRate;
        this.toRate = toRate;
        this.lowpassRatio = lowpassRatio;
        this.zeroCrossings = zeroCrossings;
        this.window = Objects.requireNonNull(window, "window");
        this.kaiserBeta = kaiserBeta;
    }

    /** A resampler from {@code fromRate} to {@code toRate} (Hz) with the default Hann window, width 6, 0.99. */
    public static Resampler of(int fromRate, int toRate) {
        return new Resampler(fromRate, toRate, DEFAULT_LOWPASS_RATIO, DEFAULT_ZERO_CROSSINGS, ResamplingWindow.HANN,
                DEFAULT_KAISER_BETA);
    }

    /** Lowpass cutoff as a fraction of the lower Nyquist frequency, in (0, 1]. */
    public Resampler optLowpassRatio(double ratio) {
        return new Resampler(fromRate, toRate, ratio, zeroCrossings, window, kaiserBeta);
    }

    /** Filter half-width in zero crossings of the sinc, in [1, 256]. */
    public Resampler optZeroCrossings(int crossings) {
        return new Resampler(fromRate, toRate, lowpassRatio, crossings, window, kaiserBeta);
    }

    /** Window of the sinc (default HANN). */
    public Resampler optWindow(ResamplingWindow w) {
        return new Resampler(fromRate, toRate, lowpassRatio, zeroCrossings, w, kaiserBeta);
    }

    /** Beta of the Kaiser window (used only with {@link ResamplingWindow#KAISER}). */
    public Resampler optKaiserBeta(double beta) {
        return new Resampler(fromRate, toRate, lowpassRatio, zeroCrossings, window, beta);
    }

    public int fromRate() {
        return fromRate;
    }

    public int toRate() {
        return toRate;
    }

    public double lowpassRatio() {
        return lowpassRatio;
    }

    public int zeroCrossings() {
        return zeroCrossings;
    }

    public ResamplingWindow window() {
        return window;
    }

    public double kaiserBeta() {
        return kaiserBeta;
    }

    /** ceil(inputLength * toRate / fromRate): the length {@link #resample} returns. */
    public long outputLength(long inputLength) {
        int g = gcd(fromRate, toRate);
        return PolyphaseFilter.outputLength(inputLength, fromRate / g, toRate / g);
    }

    /**
     * Resamples mono samples at fromRate to toRate.
     *
     * @param in samples at fromRate, [n]
     * @return samples at toRate, [ceil(n * toRate / fromRate)]; a copy of {@code in} when the rates are equal
     */
    public float[] resample(float[] in) {
        if (fromRate == toRate) {
            return in.clone();
        }
        return filter().apply(in);
    }

    /** Resamples audio that must be at {@link #fromRate()}. */
    public Audio resample(Audio audio) {
        if (audio.sampleRate() != fromRate) {
            throw new IllegalArgumentException("this resampler converts " + fromRate + " Hz, the audio is at "
                    + audio.sampleRate() + " Hz; use Resampler.of(" + audio.sampleRate() + ", " + toRate + ")");
        }
        return new Audio(resample(audio.samples()), toRate);
    }

    /**
     * sox-style speed perturbation ({@code sox in out speed FACTOR rate RATE}): tempo and pitch change together.
     * The samples are taken to be at round(rate x factor) Hz and resampled to {@code rate} with the default
     * options, so the result has ceil(n x rate / round(rate x factor)) ~ n / factor samples and a tone at f Hz
     * comes out at f x factor Hz. Factor 1 (or one that rounds to the same rate) returns a copy. Resamplers for
     * up to 64 distinct rate pairs are cached.
     *
     * @param factor speed factor, e.g. 0.9, 1.0, 1.1; must be positive
     */
    public static float[] speedPerturb(float[] samples, int rate, double factor) {
        return speedPerturb(samples, rate, factor, of(1, 1));
    }

    /**
     * Speed perturbation as {@link #speedPerturb(float[], int, double)}, with the window, lowpass and width of
     * {@code options} (its rates are ignored), so that perturbed copies are resampled like the originals.
     */
    public static float[] speedPerturb(float[] samples, int rate, double factor, Resampler options) {
        if (!(factor > 0) || Double.isInfinite(factor) || rate <= 0) {
            throw new IllegalArgumentException("speed factor must be positive and the rate positive, got factor "
                    + factor + " at " + rate + " Hz; typical factors are 0.9, 1.0, 1.1");
        }
        long perturbedRate = Math.round(rate * factor);
        if (perturbedRate < 1 || perturbedRate > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("speed factor " + factor + " at " + rate + " Hz gives rate "
                    + perturbedRate + ", out of range");
        }
        if (perturbedRate == rate) {
            return samples.clone();
        }
        Resampler key = new Resampler((int) perturbedRate, rate, options.lowpassRatio, options.zeroCrossings,
                options.window, options.kaiserBeta);
        Resampler r = SPEED_RESAMPLERS.get(key);
        if (r == null) {
            r = key;
            if (SPEED_RESAMPLERS.size() < MAX_CACHED_SPEED_RESAMPLERS) {
                SPEED_RESAMPLERS.putIfAbsent(key, r);
            }
        }
        return r.resample(samples);
    }

    /** Re-validates the options of a deserialized instance (the constructor checks them). */
    private Object readResolve() {
        return new Resampler(fromRate, toRate, lowpassRatio, zeroCrossings, window, kaiserBeta);
    }

    /**
     * The kernel, built on first use (racing threads may each build it, the result is identical): exact polyphase
     * taps when they fit in {@link PolyphaseFilter#MAX_TABLE}, else the interpolated sinc table.
     */
    private ResamplingKernel filter() {
        ResamplingKernel f = filter;
        if (f == null) {
            int g = gcd(fromRate, toRate);
            int in = fromRate / g;
            int out = toRate / g;
            long size = (long) PolyphaseFilter.taps(in, out, lowpassRatio, zeroCrossings) * out;
            f = size <= PolyphaseFilter.MAX_TABLE
                    ? new PolyphaseFilter(in, out, lowpassRatio, zeroCrossings, window, kaiserBeta)
                    : new InterpolatedSincFilter(in, out, lowpassRatio, zeroCrossings, window, kaiserBeta);
            filter = f;
        }
        return f;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Resampler)) {
            return false;
        }
        Resampler r = (Resampler) o;
        return fromRate == r.fromRate && toRate == r.toRate && lowpassRatio == r.lowpassRatio
                && zeroCrossings == r.zeroCrossings && window == r.window && kaiserBeta == r.kaiserBeta;
    }

    @Override
    public int hashCode() {
        return Objects.hash(fromRate, toRate, lowpassRatio, zeroCrossings, window, kaiserBeta);
    }

    @Override
    public String toString() {
        return "Resampler[" + fromRate + " -> " + toRate + " Hz, " + window + " window, " + zeroCrossings
                + " zero crossings, lowpass " + lowpassRatio + " x lower Nyquist"
                + (window == ResamplingWindow.KAISER ? ", beta " + kaiserBeta : "") + "]";
    }
}
