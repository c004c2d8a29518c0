package org.omnispark.data.synth;

import java.util.List;

/** English number words for 0..999 999, written the way an ASR transcript normalizer expects: no hyphens, no "and". */
public final class NumberWords {
    private static final String[] SMALL = {
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
    private static final String[] TENS = {
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

    /** Every word {@link #toWords(int)} can produce. */
    public static final List<String> ALL_NUMBER_WORDS = List.of(
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
        "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand");

    private NumberWords() {
    }

    /**
     * Spells {@code n} out, e.g. 0 -> "zero", 42 -> "forty two", 305 -> "three hundred five",
     * 12019 -> "twelve thousand nineteen".
     *
     * @throws IllegalArgumentException if n is outside 0..999 999
     */
    public static String toWords(int n) {
        if (n < 0 || n > 999_999) {
            throw new IllegalArgumentException("number " + n + " out of range 0..999999: split it before spelling");
        }
        if (n == 0) {
            return "zero";
        }
        StringBuilder sb = new StringBuilder();
        if (n >= 1000) {
            appendBelowThousand(sb, n / 1000);
            sb.append(" thousand");
            n %= 1000;
        }
        if (n > 0) {
            appendBelowThousand(sb, n);
        }
        return sb.toString().trim();
    }

    private static void appendBelowThousand(StringBuilder sb, int n) {
        if (n >= 100) {
            sb.append(' ').append(SMALL[n / 100]).append(" hundred");
            n %= 100;
        }
        if (n >= 20) {
            sb.append(' ').append(TENS[n / 10]);
            n %= 10;
            if (n > 0) {
                sb.append(' ').append(SMALL[n]);
            }
        } else if (n > 0) {
            sb.append(' ').append(SMALL[n]);
        }
    }
}
