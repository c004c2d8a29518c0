package org.omnispark.data.audio;

import org.omnispark.data.RejectReason;

/** Audio that cannot be decoded; {@link #reason()} says which kind of reject it becomes. */
public class AudioFormatException extends Exception {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public AudioFormatException(RejectReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AudioFormatException(RejectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
