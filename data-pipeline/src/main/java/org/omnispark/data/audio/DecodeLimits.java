package org.omnispark.data.audio;

import org.omnispark.data.Deadline;

/**
 * What one decode may spend: at most {@code maxSeconds} of audio (a longer file is a TOO_LONG reject once that much
 * has been decoded, so memory is bounded by this and not by any header field) and the time until {@code deadline}.
 *
 * @param maxSeconds the longest audio decoded, in seconds (positive; infinity for no limit)
 * @param deadline when to give up (checked between FLAC frames and blocks of WAV samples)
 */
public record DecodeLimits(double maxSeconds, Deadline deadline) {
    /** No limit on length or time. */
    public static final DecodeLimits NONE = new DecodeLimits(Double.POSITIVE_INFINITY, Deadline.NONE);

    public DecodeLimits {
        if (!(maxSeconds > 0)) {
            throw new IllegalArgumentException("maxSeconds must be positive, got " + maxSeconds);
        }
        if (deadline == null) {
            throw new IllegalArgumentException("deadline must not be null; use Deadline.NONE");
        }
    }

    /** The most samples per channel at {@code rate} Hz, capped at what one array holds. */
    long maxSamples(int rate) {
        double n = Math.ceil(maxSeconds * rate);
        return n >= Integer.MAX_VALUE - 16 ? Integer.MAX_VALUE - 16 : (long) n;
    }
}
