package org.omnispark.data.features;

/**
 * Kaldi's triangular mel filters, stored sparsely (each filter only over the FFT bins where it is nonzero).
 *
 * <p>Mel scale {@code mel(f) = 1127 ln(1 + f / 700)}. With {@code delta = (mel(high) - mel(low)) / (B + 1)},
 * filter b has left, center and right edges {@code mel(low) + (b, b+1, b+2) * delta}; FFT bin i (frequency
 * {@code i * fs / N}, i = 0 .. N/2 - 1: the Nyquist bin is excluded, as in Kaldi) gets the weight
 * {@code max(0, min((mel_i - left) / (center - left), (right - mel_i) / (right - center)))}: triangles in
 * the mel domain. Immutable and thread-safe.
 */
public final class MelBanks {
    private final int numBins;
    /** First FFT bin with a nonzero weight, per filter. */
    private final int[] firstFftBin;
    /** Offset of each filter's weights in {@link #weights}; filter b spans offsets[b] .. offsets[b+1]-1. */
    private final int[] offsets;
    private final double[] weights;

    /**
     * @param numBins number of filters B, at least 3
     * @param paddedWindowSize FFT size N (even)
     * @param sampleFrequency sample rate fs in Hz
     * @param lowFreq low edge in Hz
     * @param highFreq high edge in Hz, already resolved (0 &lt; highFreq &lt;= fs / 2)
     * @throws IllegalArgumentException if a filter covers no FFT bin (too many bins for this FFT size)
     */
    public MelBanks(int numBins, int paddedWindowSize, double sampleFrequency, double lowFreq, double highFreq) {
        if (numBins < 3) {
            throw new IllegalArgumentException("Need at least 3 mel bins, got " + numBins);
        }
        this.numBins = numBins;
        int numFftBins = paddedWindowSize / 2;
        // Single precision on purpose, like Kaldi's MelBanks (BaseFloat) and torchaudio's get_mel_banks
        // (float32 tensors): double weights differ by up to 1.6e-4 in log-mel output on low filters that span
        // few FFT bins, where a strong bin sits on a small weight.
        float binWidth = (float) (sampleFrequency / paddedWindowSize);
        float melLow = (float) melScale(lowFreq);
        float melDelta = (float) ((melScale(highFreq) - melScale(lowFreq)) / (numBins + 1));
        float[] melOfBin = new float[numFftBins];
        for (int i = 0; i < numFftBins; i++) {
            float hz = binWidth * i;
            melOfBin[i] = 1127.0f * (float) Math.log(1.0f + hz / 700.0f);
        }
        this.firstFftBin = new int[numBins];
        this.offsets = new int[numBins + 1];
        double[] all = new double[numBins * numFftBins];
        int count = 0;
        for (int b = 0; b < numBins; b++) {
            float left = melLow + b * melDelta;
            float center = melLow + (b + 1) * melDelta;
            float right = melLow + (b + 2) * melDelta;
            int first = -1;
            int last = -1;
            for (int i = 0; i < numFftBins; i++) {
                if (weight(melOfBin[i], left, center, right) > 0) {
                    if (first < 0) {
                        first = i;
                    }
                    last = i;
                }
            }
            if (first < 0) {
                throw new IllegalArgumentException("Mel filter " + b + " of " + numBins + " covers no FFT bin (FFT"
                        + " size " + paddedWindowSize + ", " + lowFreq + ".." + highFreq + " Hz): reduce"
                        + " num_mel_bins, widen low_freq/high_freq or use a longer frame");
            }
            firstFftBin[b] = first;
            offsets[b] = count;
            for (int i = first; i <= last; i++) {
                all[count++] = weight(melOfBin[i], left, center, right);
            }
        }
        offsets[numBins] = count;
        this.weights = java.util.Arrays.copyOf(all, count);
    }

    /** {@code 1127 ln(1 + hz / 700)}. */
    public static double melScale(double hz) {
        return 1127.0 * Math.log(1.0 + hz / 700.0);
    }

    /** {@code 700 (exp(mel / 1127) - 1)}, the inverse of {@link #melScale(double)}. */
    public static double inverseMelScale(double mel) {
        return 700.0 * (Math.exp(mel / 1127.0) - 1.0);
    }

    private static float weight(float mel, float left, float center, float right) {
        float up = (mel - left) / (center - left);
        float down = (right - mel) / (right - center);
        return Math.max(0.0f, Math.min(up, down));
    }

    /** Number of filters. */
    public int numBins() {
        return numBins;
    }

    /** First FFT bin where filter {@code b} is nonzero. */
    public int firstFftBin(int b) {
        return firstFftBin[b];
    }

    /** The nonzero weights of filter {@code b}, starting at {@link #firstFftBin(int)} (a copy). */
    public double[] weights(int b) {
        return java.util.Arrays.copyOfRange(weights, offsets[b], offsets[b + 1]);
    }

    /**
     * Filter outputs: {@code out[outOffset + b] = sum_i w_b[i] * spectrum[i]}.
     *
     * @param spectrum [N/2] power (or magnitude) per FFT bin
     * @param out receives [numBins] values starting at outOffset
     */
    public void apply(double[] spectrum, double[] out, int outOffset) {
        double[] w = weights;
        for (int b = 0; b < numBins; b++) {
            int start = offsets[b];
            int end = offsets[b + 1];
            int bin = firstFftBin[b] - start;
            double sum = 0;
            for (int p = start; p < end; p++) {
                sum += w[p] * spectrum[bin + p];
            }
            out[outOffset + b] = sum;
        }
    }
}
