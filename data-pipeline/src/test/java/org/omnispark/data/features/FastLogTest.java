package org.omnispark.data.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link FastLog} against {@link Math#log(double)}. */
class FastLogTest {

    @Test
    void agreesWithMathLogOverTheFeatureRange() {
        // Features span log(FLT_EPSILON) .. about log(1e14): test 1e-8 .. 1e16 log-uniformly.
        Random random = new Random(99);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            double x = Math.exp(random.nextDouble() * (Math.log(1e16) - Math.log(1e-8)) + Math.log(1e-8));
            worst = Math.max(worst, Math.abs(FastLog.log(x) - Math.log(x)));
        }
        assertTrue(worst < 1e-13, "max abs error vs Math.log: " + worst);
    }

    @Test
    void exactPointsAndFallbacks() {
        assertEquals(0.0, FastLog.log(1.0), 1e-15, "ln 1 (table center rounding: 6e-16)");
        assertEquals(Math.log(2), FastLog.log(2.0), 1e-15, "ln 2");
        assertEquals(-23 * Math.log(2), FastLog.log(Fbank.FLOAT_EPSILON), 1e-14, "ln 2^-23");
        assertEquals(Double.NEGATIVE_INFINITY, FastLog.log(0.0), "ln 0 via Math.log");
        assertTrue(Double.isNaN(FastLog.log(-1.0)), "ln of a negative number is NaN");
        assertEquals(Double.POSITIVE_INFINITY, FastLog.log(Double.POSITIVE_INFINITY));
        assertEquals(Math.log(Double.MIN_VALUE), FastLog.log(Double.MIN_VALUE), 1e-12, "subnormal via Math.log");
    }
}
