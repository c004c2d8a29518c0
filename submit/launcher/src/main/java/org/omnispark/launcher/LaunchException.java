package org.omnispark.launcher;

/**
 * A submission that would fail, or silently do something else than asked, refused before anything starts. The
 * message says what is wrong, where it was set (file and line, environment variable, option) and what to do; {@link
 * Main} prints it as {@code omnispark: MESSAGE} and exits with 2.
 */
public final class LaunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and the way out */
    public LaunchException(String message) {
        super(message);
    }
}
