package org.omnispark.trainer.metrics;

/**
 * Accumulates the real-time factor: processing seconds divided by audio seconds (RTF below 1 is faster than real
 * time; U2++ MoE reports decoding RTF this way). Not thread-safe; use one per thread and {@link #plus} them.
 */
public final class RealTimeFactor {

    private double processingSeconds;
    private double audioSeconds;
    private long utterances;

    /**
     * Adds one measurement.
     *
     * @param processingSeconds wall-clock seconds spent decoding (e.g. from {@code System.nanoTime()} differences)
     * @param audioSeconds seconds of audio decoded (samples / sample rate)
     */
    public void add(double processingSeconds, double audioSeconds) {
        if (!(processingSeconds >= 0) || !(audioSeconds >= 0)) {
            throw new IllegalArgumentException("Seconds must be finite and >= 0, got processing=" + processingSeconds
                    + " audio=" + audioSeconds);
        }
        this.processingSeconds += processingSeconds;
        this.audioSeconds += audioSeconds;
        this.utterances++;
    }

    /**
     * Adds a measurement taken with {@code System.nanoTime()}.
     *
     * @param startNanos the time before decoding
     * @param endNanos the time after decoding
     * @param audioSeconds seconds of audio decoded
     */
    public void addNanos(long startNanos, long endNanos, double audioSeconds) {
        add((endNanos - startNanos) / 1e9, audioSeconds);
    }

    /**
     * Combines two accumulators (e.g. from two threads) into a new one.
     *
     * @param other the other accumulator
     * @return the sum
     */
    public RealTimeFactor plus(RealTimeFactor other) {
        RealTimeFactor sum = new RealTimeFactor();
        sum.processingSeconds = processingSeconds + other.processingSeconds;
        sum.audioSeconds = audioSeconds + other.audioSeconds;
        sum.utterances = utterances + other.utterances;
        return sum;
    }

    /** @return processing seconds / audio seconds; NaN before any audio was added */
    public double value() {
        return audioSeconds == 0 ? Double.NaN : processingSeconds / audioSeconds;
    }

    /** @return the total processing seconds */
    public double processingSeconds() {
        return processingSeconds;
    }

    /** @return the total audio seconds */
    public double audioSeconds() {
        return audioSeconds;
    }

    /** @return the number of measurements */
    public long utterances() {
        return utterances;
    }

    @Override
    public String toString() {
        return String.format("RTF=%.4f (%.3f s / %.3f s audio, %d utterances)", value(), processingSeconds,
                audioSeconds, utterances);
    }
}
