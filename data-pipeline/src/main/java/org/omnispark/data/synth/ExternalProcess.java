package org.omnispark.data.synth;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs a command line with optional stdin bytes and returns its output (stdout and stderr merged, read on the
 * calling thread: no helper threads, so many of these can run in parallel on a small machine).
 */
final class ExternalProcess {
    private ExternalProcess() {
    }

    /**
     * Runs {@code command} to completion.
     *
     * @return stdout and stderr as UTF-8 text
     * @throws IOException if it cannot start (see {@link #isNotFound}) or exits non-zero
     */
    static String run(List<String> command, byte[] stdin) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        byte[] out;
        try (InputStream s = p.getInputStream()) {
            out = s.readAllBytes();
        }
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (rc != 0) {
            throw new IOException("exit code " + rc + " from " + String.join(" ", command)
                + (text.isBlank() ? "" : ": " + text.trim()));
        }
        return text;
    }

    /** True if the exception says the program itself was not found or not executable. */
    static boolean isNotFound(IOException e) {
        String msg = String.valueOf(e.getMessage());
        return msg.contains("Cannot run program");
    }
}
