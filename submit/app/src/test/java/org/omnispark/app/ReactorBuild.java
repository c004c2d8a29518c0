package org.omnispark.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What this Maven reactor built before this module's integration tests run, as the tests hand it to {@code
 * submit/omnispark}: the repository, the launcher with its classpath, the application jar, the test classpath.
 */
final class ReactorBuild {

    private ReactorBuild() {}

    /** @return the repository root (the folder holding submit/omnispark) */
    static Path repoRoot() {
        Path p = Path.of(System.getProperty("omnispark.repo.root", "")).toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("submit/omnispark"))) {
            p = p.getParent();
        }
        assertTrue(p != null, "cannot find the repository root (submit/omnispark) from "
                + Path.of("").toAbsolutePath());
        return p;
    }

    /** @return the application jar this module packaged (failsafe's omnispark.app.jar) */
    static Path appJar() {
        Path jar = Path.of(System.getProperty("omnispark.app.jar", "")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "no application jar at " + jar + " (mvn package -pl submit/app)");
        return jar;
    }

    /**
     * submit/launcher's jar and its runtime classpath, for OMNISPARK_LAUNCHER_CP: the shim then runs this launcher
     * instead of its own {@code mvn package}, which would rewrite the jars the test JVM has open.
     */
    static String launcherClasspath() throws IOException {
        Path target = repoRoot().resolve("submit/launcher/target");
        Path jar;
        try (var files = Files.list(target)) {
            jar = files.filter(f -> f.getFileName().toString().matches("omnispark-launcher-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no launcher jar in " + target + "; build "
                            + "submit/launcher first (mvn -pl submit/launcher package)"));
        }
        Path cp = target.resolve("launcher.classpath");
        assertTrue(Files.isRegularFile(cp), "no " + cp + ": submit/launcher's package writes it (mvn -pl "
                + "submit/launcher package)");
        return jar + File.pathSeparator + Files.readString(cp).strip();
    }

    /** @return the jars on this test JVM's classpath */
    static List<String> testClasspathJars() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && new File(entry).isFile()) {
                out.add(entry);
            }
        }
        return out;
    }
}
