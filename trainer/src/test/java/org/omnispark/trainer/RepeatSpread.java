package org.omnispark.trainer;

import java.util.Arrays;
import java.util.Locale;

/**
 * How the benchmarks report repeated measurements: min / median / max over the repeats, and ratios paired per repeat
 * (the cases of one repeat ran side by side, so their ratio cancels a slow phase of the machine).
 */
public final class RepeatSpread {

    private RepeatSpread() {}

    /**
     * Formats min / median / max.
     *
     * @param values one value per repeat (not modified)
     * @param format e.g. {@code "%.2f"}
     * @return {@code "min / median / max"}, the median being the upper one for an even count
     */
    public static String of(double[] values, String format) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, format + " / " + format + " / " + format, sorted[0],
                sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }

    /**
     * Divides two cases repeat by repeat.
     *
     * @param numerators one value per repeat
     * @param denominators one value per repeat, the same count
     * @return {@code numerators[i] / denominators[i]}
     */
    public static double[] ratios(double[] numerators, double[] denominators) {
        if (numerators.length != denominators.length) {
            throw new IllegalArgumentException("ratios need one value per repeat on both sides, got "
                    + numerators.length + " and " + denominators.length);
        }
        double[] r = new double[numerators.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = numerators[i] / denominators[i];
        }
        return r;
    }
}
