package org.omnispark.data.audio;

/** The convolution of a {@link Resampler}: exact polyphase taps, or an interpolated sinc table for large ones. */
interface ResamplingKernel {
    /** Resamples mono samples: [length] -> [ceil(length * phases / inStep)]. */
    float[] apply(float[] in);

    /**
     * Where a windowed-sinc lowpass between two gcd-reduced rates reaches, shared by both kernels: output n sits at
     * input position n inStep / phases, and its taps are the inputs at offsets firstOffset .. firstOffset + taps - 1
     * from floor(n inStep / phases).
     *
     * @param scale s = rolloff x min(1, phases / inStep): the cutoff relative to the input Nyquist
     * @param firstOffset the offset of the first tap, ceil(-zeroCrossings / s)
     * @param taps taps per output sample, floor(zeroCrossings / s + 1) - firstOffset + 1
     */
    record SincSupport(double scale, int firstOffset, int taps) {
        static SincSupport of(int inStep, int phases, double rolloff, int zeroCrossings) {
            double scale = rolloff * Math.min(1.0, phases / (double) inStep);
            double halfWidth = zeroCrossings / scale; // in input samples
            int firstOffset = (int) Math.ceil(-halfWidth);
            return new SincSupport(scale, firstOffset, (int) Math.floor(halfWidth + 1) - firstOffset + 1);
        }
    }
}
