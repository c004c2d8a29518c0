package org.omnispark.launcher;

import java.io.IOException;
import java.util.List;

/** What the launcher decided to run: a local JVM ({@link LocalCommand}) or a spark-submit ({@link SubmitCommand}). */
sealed interface Plan permits LocalCommand, SubmitCommand {

    /** @return the command as one shell line, environment first: what OMNISPARK_DRY_RUN prints */
    String dryRun();

    /** @return what the user should know (a value that overrides another, a setting that was added) */
    List<String> notes();

    /**
     * Runs the command with this process's standard streams and waits for it.
     *
     * @return its exit status
     */
    int run() throws IOException, InterruptedException;

    /** Ends the child when the launcher is stopped (SIGTERM, Ctrl-C), and waits for it. */
    static int supervise(Process child) throws InterruptedException {
        Thread stop = new Thread(() -> {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "omnispark-launcher-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int status = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
            // shutting down already
        }
        return status;
    }
}
