package org.omnispark.expertparallel.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The JDK's keytool, run in one folder with one store password, for tests that make their own certificates. */
final class Keytool {

    private final Path dir;
    private final char[] password;

    Keytool(Path dir, char[] password) {
        this.dir = dir;
        this.password = password.clone();
    }

    /** Runs keytool with {@code args} plus the store (and, for new keys, key) password; fails the test on an error. */
    void run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", new String(password)));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keypass", new String(password)));
        }
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + args[0] + ": " + output);
    }
}
