package org.omnispark.expertparallel.transport;

/** An exchange between ranks failed or timed out; the message names the rank, the peer and the phase. */
public final class TransportException extends RuntimeException {

    /**
     * @param message who waited for what
     * @param cause the underlying failure
     */
    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
