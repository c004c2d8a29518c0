package org.omnispark.data.tools;

import java.io.File;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The external programs tests use (espeak-ng, sox, flac, spm_encode, python3...). On a developer's machine a missing
 * tool skips the test; where {@code OMNISPARK_REQUIRE_TOOLS=1} (set by {@code submit/omnispark test}, which
 * installs them, and so in CI) it fails it, so that a check never silently stops running where it counts.
 */
public final class RequiredTools {
    /** The environment variable that turns a skip into a failure. */
    public static final String REQUIRE = "OMNISPARK_REQUIRE_TOOLS";

    private RequiredTools() {
    }

    /** Whether an executable of this name is on the PATH. */
    public static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** Skips (or, when required, fails) the test unless every tool is on the PATH. */
    public static void require(String... tools) {
        for (String t : tools) {
            check(onPath(t), t + " is not on the PATH (submit/omnispark setup installs it)");
        }
    }

    /** Runs a command line to completion; throws IOException with its output when it exits non-zero. */
    public static void run(String... cmd) throws java.io.IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new java.io.IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** Skips (or, when required, fails) the test unless {@code available}. */
    public static void check(boolean available, String message) {
        if (available) {
            return;
        }
        if ("1".equals(System.getenv(REQUIRE))) {
            Assertions.fail(message + "; " + REQUIRE + "=1 makes this a failure, not a skip");
        }
        Assumptions.abort("skipped: " + message);
    }
}
