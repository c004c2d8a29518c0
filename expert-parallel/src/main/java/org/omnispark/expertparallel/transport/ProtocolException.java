package org.omnispark.expertparallel.transport;

import java.io.IOException;

/** A peer sent something that is not the frame this rank expects (header, Arrow metadata or sizes). */
public final class ProtocolException extends IOException {

    /** @param message what differs from what was expected */
    public ProtocolException(String message) {
        super(message);
    }
}
