package org.omnispark.data.job;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * A vector of exact sums of doubles (each double is a finite binary fraction, so BigDecimal adds them without
 * rounding): the result, rounded once at the end, is the same in whatever order and grouping the values arrive.
 * Mutable; {@link #add} returns this.
 */
final class ExactSum implements Serializable {
    private static final long serialVersionUID = 1L;
    private BigDecimal[] sums = new BigDecimal[0];

    /** Adds values element-wise (the first call fixes the length). */
    ExactSum add(double[] values) {
        grow(values.length);
        for (int i = 0; i < values.length; i++) {
            sums[i] = sums[i].add(new BigDecimal(values[i]));
        }
        return this;
    }

    /** Adds another sum element-wise. */
    ExactSum add(ExactSum other) {
        grow(other.sums.length);
        for (int i = 0; i < other.sums.length; i++) {
            sums[i] = sums[i].add(other.sums[i]);
        }
        return this;
    }

    /** The sums, each rounded to the nearest double. */
    double[] values() {
        double[] out = new double[sums.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sums[i].doubleValue();
        }
        return out;
    }

    /** The exact sums as decimal strings (for a JSON marker); {@link #parse} reads them back. */
    String[] toStrings() {
        String[] out = new String[sums.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sums[i].toPlainString();
        }
        return out;
    }

    static ExactSum parse(String[] values) {
        ExactSum s = new ExactSum();
        s.sums = new BigDecimal[values.length];
        for (int i = 0; i < values.length; i++) {
            s.sums[i] = new BigDecimal(values[i]);
        }
        return s;
    }

    private void grow(int n) {
        if (sums.length == 0 && n > 0) {
            sums = new BigDecimal[n];
            java.util.Arrays.fill(sums, BigDecimal.ZERO);
        } else if (n != 0 && n != sums.length) {
            throw new IllegalArgumentException("vectors of " + sums.length + " and " + n + " values");
        }
    }
}
