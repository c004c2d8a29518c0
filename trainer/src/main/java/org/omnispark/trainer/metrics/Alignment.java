package org.omnispark.trainer.metrics;

import java.util.List;

/**
 * One chosen alignment of a hypothesis to a reference.
 *
 * @param operations the edit operations in order, from the first token to the last
 * @param counts the counts of the operations
 */
public record Alignment(List<Operation> operations, EditCounts counts) {

    /** Copies the list. */
    public Alignment {
        operations = List.copyOf(operations);
        if (counts == null) {
            throw new IllegalArgumentException("counts are required");
        }
    }

    /** The kind of an aligned pair. */
    public enum Kind {
        /** Same token in both. */
        CORRECT,
        /** Different tokens. */
        SUBSTITUTION,
        /** Reference token without a hypothesis token. */
        DELETION,
        /** Hypothesis token without a reference token. */
        INSERTION
    }

    /**
     * One aligned pair.
     *
     * @param kind what happened
     * @param reference the reference token, null for an insertion
     * @param hypothesis the hypothesis token, null for a deletion
     */
    public record Operation(Kind kind, String reference, String hypothesis) {}
}
