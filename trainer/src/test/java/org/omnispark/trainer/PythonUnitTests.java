package org.omnispark.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.omnispark.data.tools.RequiredTools;

/**
 * Runs a Python unittest module of the repository's scripts with Debian's python3 (the scripts' own tests, kept
 * beside the Java ones so that CI fails when a script and its tests disagree).
 */
public final class PythonUnitTests {

    private PythonUnitTests() {}

    /**
     * @param dir the folder holding the test module
     * @param module e.g. {@code test_domain_routing}
     * @param atLeast the fewest tests it must have run (a module that lost its tests fails)
     * @param what what the scripts are, for the message when python3 is missing
     */
    public static void run(Path dir, String module, int atLeast, String what) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        RequiredTools.check(Files.isExecutable(python), "/usr/bin/python3 runs " + what + " (apt-get install python3)");
        Process p = new ProcessBuilder(python.toString(), "-m", "unittest", "-v", module).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), module + " finishes within 2 minutes");
        assertEquals(0, p.exitValue(), log);
        Matcher ran = Pattern.compile("Ran (\\d+) tests?").matcher(log);
        assertTrue(log.contains("OK") && ran.find() && Integer.parseInt(ran.group(1)) >= atLeast,
                module + " ran fewer than " + atLeast + " tests:\n" + log);
    }
}
