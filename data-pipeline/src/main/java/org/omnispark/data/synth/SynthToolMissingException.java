package org.omnispark.data.synth;

/** espeak-ng or sox (or one of the voices the catalog needs) is not installed; the message says what to install. */
public class SynthToolMissingException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The install hint every message of this exception ends with. */
    public static final String INSTALL_HINT = "install them with: apt-get install espeak-ng sox";

    public SynthToolMissingException(String what, Throwable cause) {
        super(what + "; " + INSTALL_HINT, cause);
    }
}
