package org.omnispark.trainer.encoder;

import java.util.Locale;

/** Which encoder stack to build ({@code encoder: conformer|transformer} in a training config). */
public enum EncoderType {
    /** Conformer blocks: macaron FFs, relative-position MHSA, convolution module (U2++). */
    CONFORMER,
    /** Pre-norm Transformer blocks: MHSA + one FF (Omni-router Transformer). */
    TRANSFORMER;

    /**
     * Parses a config value.
     *
     * @param name "conformer" or "transformer" (any case)
     * @return the type
     */
    public static EncoderType fromName(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("Unknown encoder '" + name + "'; use conformer or transformer", e);
        }
    }
}
