package org.omnispark.data.audio;

/**
 * The precomputed taps of a windowed-sinc resampler between two gcd-reduced rates, and the convolution that uses
 * them. Immutable and thread-safe once built.
 *
 * <p>Output sample n lies at input position c = n * inStep / phases (in input samples). Writing
 * c = k + p / phases with k = floor(c), the output is y[n] = sum_d x[k + d] * h_p[d], where the phase-p filter is
 * h_p[d] = s * sinc(s * (d - p / phases)) * w(s * (d - p / phases)), s = rolloff * min(1, phases / inStep) the cutoff
 * relative to the input Nyquist, sinc(t) = sin(pi t) / (pi t), and w the window over |t| &lt;= zeroCrossings. Input
 * outside [0, length) counts as 0. This is torchaudio's {@code functional.resample} kernel, evaluated in double.
 */
final class PolyphaseFilter implements ResamplingKernel {
    /** Above this many taps in total (4 MB of floats) {@link InterpolatedSincFilter} is used instead. */
    static final long MAX_TABLE = 1L << 20;

    private final int inStep;   // input samples per block (reduced input rate)
    private final int phases;   // output samples per block (reduced output rate)
    private final int taps;     // taps per phase
    private final int firstOffset; // d of taps[p][0]
    private final float[] table;   // [phases][taps], row-major

    /** Taps per phase for these options (the table holds taps x phases). */
    static int taps(int inStep, int phases, double rolloff, int zeroCrossings) {
        return SincSupport.of(inStep, phases, rolloff, zeroCrossings).taps();
    }

    PolyphaseFilter(int inStep, int phases, double rolloff, int zeroCrossings, ResamplingWindow window, double beta) {
        this.inStep = inStep;
        this.phases = phases;
        SincSupport support = SincSupport.of(inStep, phases, rolloff, zeroCrossings);
        double scale = support.scale();
        this.firstOffset = support.firstOffset();
        this.taps = support.taps();
        this.table = new float[taps * phases];
        for (int p = 0; p < phases; p++) {
            for (int j = 0; j < taps; j++) {
                // distance from the centre, in zero crossings; (d * phases - p) is exact in long arithmetic
                double t = scale * (((long) (firstOffset + j) * phases - p) / (double) phases);
                table[p * taps + j] = (float) (scale * window.windowedSinc(t, zeroCrossings, beta));
            }
        }
    }

    /** Taps per phase. */
    int taps() {
        return taps;
    }

    /** ceil(length * phases / inStep). */
    static long outputLength(long length, int inStep, int phases) {
        return (length * phases + inStep - 1) / inStep;
    }

    /** The output array for {@code length} input samples: [ceil(length * phases / inStep)]. */
    static float[] newOutput(int length, int inStep, int phases) {
        long outLength = outputLength(length, inStep, phases);
        if (outLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("output of " + outLength + " samples does not fit in an array;"
                    + " resample shorter pieces");
        }
        return new float[(int) outLength];
    }

    /** Resamples; see the class comment. in: [length] -> [ceil(length * phases / inStep)]. */
    @Override
    public float[] apply(float[] in) {
        float[] out = newOutput(in.length, inStep, phases);
        final int wholeStep = inStep / phases;
        final int fracStep = inStep % phases;
        long k = 0; // floor(n * inStep / phases)
        int p = 0;  // (n * inStep) mod phases
        for (int n = 0; n < out.length; n++) {
            long start = k + firstOffset;
            int row = p * taps;
            double acc = 0;
            if (start >= 0 && start + taps <= in.length) {
                int s = (int) start;
                for (int j = 0; j < taps; j++) {
                    acc += (double) in[s + j] * table[row + j];
                }
            } else {
                int jFrom = (int) Math.max(0, -start);
                int jTo = (int) Math.min(taps, in.length - start);
                for (int j = jFrom; j < jTo; j++) {
                    acc += (double) in[(int) (start + j)] * table[row + j];
                }
            }
            out[n] = (float) acc;
            k += wholeStep;
            p += fracStep;
            if (p >= phases) {
                p -= phases;
                k++;
            }
        }
        return out;
    }
}
