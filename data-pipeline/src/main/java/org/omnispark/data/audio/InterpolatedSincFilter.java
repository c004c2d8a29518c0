package org.omnispark.data.audio;

/**
 * The windowed-sinc resampler of {@link PolyphaseFilter} for rate pairs whose exact polyphase table would be large
 * (a gcd-reduced output rate of thousands of phases times hundreds of taps, e.g. 383999 -> 16000 Hz, or wide filters):
 * instead of one row of taps per phase it keeps one table of sinc x window over [0, zeroCrossings], sampled at
 * {@value #POINTS_PER_CROSSING} points per zero crossing, and interpolates it linearly for each tap. Any ratio of
 * integer rates works, in memory independent of the rates (4 bytes x 1024 x zeroCrossings); the linear interpolation
 * adds an error of at most 2.4e-7 of full scale at the rates ResamplerGoldenTest checks against torchaudio.
 * Immutable and thread-safe.
 */
final class InterpolatedSincFilter implements ResamplingKernel {
    static final int POINTS_PER_CROSSING = 1024;

    private final int inStep;
    private final int phases;
    private final double scale;
    private final int firstOffset;
    private final int taps;
    private final int limit;     // zeroCrossings * POINTS_PER_CROSSING
    private final float[] table; // sinc(t) * window(t) at t = i / POINTS_PER_CROSSING zero crossings

    InterpolatedSincFilter(int inStep, int phases, double rolloff, int zeroCrossings, ResamplingWindow window,
            double beta) {
        this.inStep = inStep;
        this.phases = phases;
        SincSupport support = SincSupport.of(inStep, phases, rolloff, zeroCrossings);
        this.scale = support.scale();
        this.firstOffset = support.firstOffset();
        this.taps = support.taps();
        this.limit = zeroCrossings * POINTS_PER_CROSSING;
        this.table = new float[limit + 2];
        for (int i = 0; i <= limit; i++) {
            table[i] = (float) window.windowedSinc(i / (double) POINTS_PER_CROSSING, zeroCrossings, beta);
        }
    }

    /** See {@link PolyphaseFilter#apply}: the same positions and edges, taps interpolated from the table. */
    @Override
    public float[] apply(float[] in) {
        float[] out = PolyphaseFilter.newOutput(in.length, inStep, phases);
        final int wholeStep = inStep / phases;
        final int fracStep = inStep % phases;
        final double pointsPerSample = scale * POINTS_PER_CROSSING;
        long k = 0;
        int p = 0;
        for (int n = 0; n < out.length; n++) {
            long start = k + firstOffset;
            double frac = p / (double) phases;
            int jFrom = (int) Math.max(0, -start);
            int jTo = (int) Math.min(taps, in.length - start);
            double acc = 0;
            for (int j = jFrom; j < jTo; j++) {
                double a = Math.abs((firstOffset + j) - frac) * pointsPerSample;
                int i = (int) a;
                if (i < limit) {
                    double w = a - i;
                    acc += in[(int) (start + j)] * (table[i] + w * (table[i + 1] - table[i]));
                }
            }
            out[n] = (float) (scale * acc);
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
