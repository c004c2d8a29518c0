package org.omnispark.io;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program to completion within a time limit: its input comes from, and its stdout and stderr
 * (merged) go to, temporary files (so neither side can block on a full pipe and no helper thread is needed), and it
 * is killed and reaped when the limit passes. For short tools run many times in parallel (espeak-ng, sox) and long ones run once
 * ({@code spm_train}). Stateless and thread-safe.
 */
public final class ExternalCommand {
    /** How long a killed program may take to go away before we stop waiting for it. */
    private static final long REAP_SECONDS = 10;
    /** Lines of a failed program's output kept in the exception. */
    private static final int TAIL_LINES = 10;

    private ExternalCommand() {
    }

    /**
     * Runs {@code command}, feeding it {@code stdin} (or nothing), and waits at most {@code timeout}.
     *
     * @return its stdout and stderr as UTF-8 text
     * @throws IOException if it cannot start ({@link #isNotFound}), exits non-zero (the message ends with the last
     *     lines of its output), or runs past {@code timeout} (it is killed first)
     */
    public static String run(List<String> command, byte[] stdin, Duration timeout) throws IOException {
        Path output = Files.createTempFile("omnispark-cmd-", ".out");
        Path input = stdin == null ? null : Files.createTempFile("omnispark-cmd-", ".in");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            if (input != null) {
                Files.write(input, stdin); // from a file: a program that never reads its input cannot block us
                builder.redirectInput(input.toFile());
            }
            Process p = builder.start();
            if (input == null) {
                p.getOutputStream().close();
            }
            int rc;
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(REAP_SECONDS, TimeUnit.SECONDS);
                    throw new IOException(command.get(0) + " did not finish within " + String.format(
                            java.util.Locale.ROOT, "%.1f", timeout.toMillis() / 1000.0) + " s and was killed: "
                            + String.join(" ", command) + tail(output));
                }
                rc = p.exitValue();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + String.join(" ", command), e);
            }
            String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
            if (rc != 0) {
                throw new IOException("exit code " + rc + " from " + String.join(" ", command) + tail(output));
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
            if (input != null) {
                Files.deleteIfExists(input);
            }
        }
    }

    /** True if the exception says the program itself was not found or not executable. */
    public static boolean isNotFound(IOException e) {
        return String.valueOf(e.getMessage()).contains("Cannot run program");
    }

    /** An executable file named {@code name} in a folder of the PATH, if any. */
    public static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static String tail(Path output) throws IOException {
        List<String> lines = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
        return last.isEmpty() ? "" : ": " + String.join("\n", last).trim();
    }
}
