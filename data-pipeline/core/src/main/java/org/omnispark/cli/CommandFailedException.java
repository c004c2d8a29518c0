package org.omnispark.cli;

/**
 * A command that ended with a non-zero exit code where {@code System.exit} must not be called: the driver of a YARN
 * cluster-mode application. Spark's ApplicationMaster reports the exception's text as the application's diagnostics,
 * which spark-submit prints on the client.
 */
public final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * @param exitCode the command's exit code (not 0)
     * @param message what the command printed on its error stream, or a description of the failure
     * @param cause the exception the command ended with, or null
     */
    public CommandFailedException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** @return the command's exit code */
    public int exitCode() {
        return exitCode;
    }
}
