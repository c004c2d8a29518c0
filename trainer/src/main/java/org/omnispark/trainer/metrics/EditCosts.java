package org.omnispark.trainer.metrics;

/**
 * Weights of the edit operations used to choose an alignment. The counts reported are always plain counts; the
 * weights only decide which alignment is chosen when several explain the same pair.
 *
 * @param substitution cost of a substitution
 * @param deletion cost of a deletion
 * @param insertion cost of an insertion
 */
public record EditCosts(int substitution, int deletion, int insertion) {

    /** NIST sclite's weights: substitution 4, deletion 3, insertion 3. */
    public static final EditCosts SCLITE = new EditCosts(4, 3, 3);

    /** Unit costs (plain Levenshtein distance, as Kaldi's compute-wer). */
    public static final EditCosts LEVENSHTEIN = new EditCosts(1, 1, 1);

    /** Validates the weights. */
    public EditCosts {
        if (substitution <= 0 || deletion <= 0 || insertion <= 0) {
            throw new IllegalArgumentException("Edit costs must be positive, got sub=" + substitution + " del="
                    + deletion + " ins=" + insertion + "; use EditCosts.SCLITE or EditCosts.LEVENSHTEIN");
        }
    }
}
