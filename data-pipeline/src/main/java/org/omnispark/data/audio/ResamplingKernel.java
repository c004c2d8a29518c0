package org.omnispark.data.audio;

/** The convolution of a {@link Resampler}: exact polyphase taps, or an interpolated sinc table for large ones. */
interface ResamplingKernel {
    /** Resamples mono samples: [length] -> [ceil(length * phases / inStep)]. */
    float[] apply(float[] in);
}
