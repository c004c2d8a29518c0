package org.omnispark.trainer.metrics;

/**
 * The result of aligning a hypothesis to a reference: counts of correct tokens, substitutions, deletions and
 * insertions. Counts add up over utterances with {@link #plus}.
 *
 * @param correct tokens that match
 * @param substitutions reference tokens replaced by a different hypothesis token
 * @param deletions reference tokens missing from the hypothesis
 * @param insertions hypothesis tokens with no reference token
 */
public record EditCounts(long correct, long substitutions, long deletions, long insertions) {

    /** No tokens at all. */
    public static final EditCounts ZERO = new EditCounts(0, 0, 0, 0);

    /** Validates the counts. */
    public EditCounts {
        if (correct < 0 || substitutions < 0 || deletions < 0 || insertions < 0) {
            throw new IllegalArgumentException("Counts must be non-negative, got C=" + correct + " S=" + substitutions
                    + " D=" + deletions + " I=" + insertions);
        }
    }

    /** @return N, the number of reference tokens: C + S + D */
    public long referenceLength() {
        return correct + substitutions + deletions;
    }

    /** @return the number of hypothesis tokens: C + S + I */
    public long hypothesisLength() {
        return correct + substitutions + insertions;
    }

    /** @return S + D + I */
    public long errors() {
        return substitutions + deletions + insertions;
    }

    /**
     * The error rate (S + D + I) / N.
     *
     * @return the rate as a fraction (multiply by 100 for percent); 0 when N = 0 and there are no errors, positive
     *     infinity when N = 0 and there are insertions
     */
    public double errorRate() {
        long n = referenceLength();
        if (n == 0) {
            return errors() == 0 ? 0.0 : Double.POSITIVE_INFINITY;
        }
        return (double) errors() / n;
    }

    /**
     * Adds the counts of another utterance.
     *
     * @param other counts to add
     * @return the sums
     */
    public EditCounts plus(EditCounts other) {
        return new EditCounts(correct + other.correct, substitutions + other.substitutions,
                deletions + other.deletions, insertions + other.insertions);
    }

    @Override
    public String toString() {
        return String.format("N=%d C=%d S=%d D=%d I=%d ER=%.2f%%", referenceLength(), correct, substitutions,
                deletions, insertions, 100 * errorRate());
    }
}
