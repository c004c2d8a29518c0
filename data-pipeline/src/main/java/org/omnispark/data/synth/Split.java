package org.omnispark.data.synth;

import java.util.Locale;

/** Which pool a sentence or a voice belongs to; heldout items never occur in the train pool. */
public enum Split {
    /** The training pool. */
    TRAIN,
    /** The held-out pool: sentences and voices never used for train rows. */
    HELDOUT;

    /** The lower-case name used in keys and JSON ({@code train}, {@code heldout}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code train} or {@code heldout} (case-insensitive).
     *
     * @throws IllegalArgumentException for any other value
     */
    public static Split parse(String value) {
        for (Split s : values()) {
            if (s.id().equalsIgnoreCase(value.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown split '" + value + "': use 'train' or 'heldout'");
    }
}
