package org.omnispark.data.audio;

/**
 * Mono audio: samples as floats in [-1, 1) (full-scale of the source encoding maps to 1.0), and the sample rate.
 *
 * @param samples mono samples, [numSamples]
 * @param sampleRate samples per second
 */
public record Audio(float[] samples, int sampleRate) {
    public Audio {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, got " + sampleRate);
        }
    }

    /** Duration in seconds. */
    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }
}
