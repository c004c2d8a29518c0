package org.omnispark.data.features;

/**
 * Natural logarithm for positive normal doubles, within about 1e-15 absolute of {@link Math#log(double)}
 * (far below the float32 rounding of the features), several times cheaper per call than Math.log here.
 *
 * <p>{@code x = 2^e * m}, {@code m} in [1, 2); {@code m} is split by its top 7 mantissa bits into one of
 * 128 buckets with center {@code c}: {@code ln x = e ln 2 + ln c + ln(1 + r)}, {@code r = m / c - 1},
 * {@code |r| <= 1/256}, and {@code ln(1 + r)} is its Taylor series to r^5 (truncation below 1e-15).
 * Zero, negative, subnormal, infinite and NaN inputs fall back to Math.log.
 */
final class FastLog {
    private static final int BITS = 7;
    private static final int SIZE = 1 << BITS;
    private static final double LN2 = Math.log(2.0);
    private static final double[] LOG_CENTER = new double[SIZE];
    private static final double[] INV_CENTER = new double[SIZE];

    static {
        for (int i = 0; i < SIZE; i++) {
            double center = 1.0 + (i + 0.5) / SIZE;
            LOG_CENTER[i] = Math.log(center);
            INV_CENTER[i] = 1.0 / center;
        }
    }

    private FastLog() {
    }

    /** ln(x); see the class comment for accuracy. */
    static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int biased = (int) (bits >>> 52); // includes the sign bit: negative inputs land above 2047
        if (biased == 0 || biased >= 2047) {
            return Math.log(x);
        }
        int idx = (int) (bits >>> (52 - BITS)) & (SIZE - 1);
        double m = Double.longBitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        double r = m * INV_CENTER[idx] - 1.0;
        double series = r - r * r * (0.5 - r * (1.0 / 3.0 - r * (0.25 - r * 0.2)));
        return (biased - 1023) * LN2 + LOG_CENTER[idx] + series;
    }
}
