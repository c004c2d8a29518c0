package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shim's build step, on a copy of the script in a made-up repository with a made-up {@code mvn} (it writes down
 * its arguments and makes the jars a build makes) and a made-up {@code java} (it writes down how the launcher was
 * started): the libtorch flavour reaches Maven ({@code -Dlibtorch=cuda}), a build happens once per source change or
 * flavour change, and the launcher gets the build's jars.
 */
class OmnisparkBuildTest {

    @TempDir
    Path tmp;
    Path root;
    Path bin;

    @BeforeEach
    void repository() throws Exception {
        root = tmp.resolve("repo");
        bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createDirectories(root.resolve("submit"));
        Files.copy(Fixture.repoRoot().resolve("submit/omnispark"), root.resolve("submit/omnispark"));
        Files.writeString(root.resolve("pom.xml"), "<project/>\n");
        for (String m : List.of("data-pipeline/core", "data-pipeline", "trainer", "expert-parallel", "submit/app",
                "submit/launcher")) {
            Files.createDirectories(root.resolve(m).resolve("src/main/java"));
            Files.writeString(root.resolve(m).resolve("pom.xml"), "<project/>\n");
        }
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, """
                #!/bin/bash
                echo "$*" >> "%s"
                sleep "${FAKE_MVN_SECONDS:-0}"   # a build that takes a while, for the concurrent-commands test
                for a in "$@"; do case "$a" in -Dmdep.outputFile=*) echo "/m2/api.jar:/m2/x/pytorch-native-cpu.jar" > "${a#*=}";; esac; done
                for m in data-pipeline trainer expert-parallel; do
                  mkdir -p $m/target && touch $m/target/omnispark-$m-0.1.0.jar $m/target/omnispark-$m-0.1.0-tests.jar
                done
                mkdir -p data-pipeline/core/target && touch data-pipeline/core/target/omnispark-core-0.1.0.jar
                mkdir -p submit/app/target submit/launcher/target
                touch submit/app/target/omnispark-spark_2.13-0.1.0.jar submit/launcher/target/omnispark-launcher-0.1.0.jar
                echo /m2/spark-launcher_2.13-4.1.3.jar > submit/launcher/target/launcher.classpath
                """.formatted(tmp.resolve("mvn.log")));
        Path java = bin.resolve("java");
        Files.writeString(java, """
                #!/bin/bash
                echo "$* app=$OMNISPARK_APP_JAR cp=$OMNISPARK_CLASSPATH_FILE home=$OMNISPARK_HOME" >> "%s"
                """.formatted(tmp.resolve("java.log")));
        mvn.toFile().setExecutable(true);
        java.toFile().setExecutable(true);
    }

    private Scripts.Result run(String libtorch, String... args) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PATH", bin + ":" + System.getenv("PATH")));
        if (libtorch != null) {
            env.put("OMNISPARK_LIBTORCH", libtorch);
        }
        return Scripts.bash(root.resolve("submit/omnispark"), env, List.of("OMNISPARK_LIBTORCH",
                "OMNISPARK_LAUNCHER_CP", "OMNISPARK_STATE_DIR", "OMNISPARK_APP_JAR", "OMNISPARK_CLASSPATH_FILE"), args);
    }

    /**
     * experiment.sh runs two training commands at once on a fresh clone: before the lock, both built at the same time
     * in the same target folders, and both failed (the shaded jar of one deleted under the other).
     */
    @Test
    void commandsStartedTogetherBuildOnceTheSecondWaitingForTheFirst() throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("submit/omnispark").toString(),
                "--master", "yarn", "prepare"));
        List<Process> both = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            List.of("OMNISPARK_LIBTORCH", "OMNISPARK_LAUNCHER_CP", "OMNISPARK_STATE_DIR", "OMNISPARK_APP_JAR",
                    "OMNISPARK_CLASSPATH_FILE").forEach(pb.environment()::remove);
            pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            pb.environment().put("FAKE_MVN_SECONDS", "2");
            both.add(pb.start());
        }
        for (Process p : both) {
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the commands finish");
            assertEquals(0, p.exitValue(), out);
        }
        assertEquals(1, mvnCalls().size(), "one build; the other command waited for it and found it done: "
                + mvnCalls());
        assertEquals(2, Files.readAllLines(tmp.resolve("java.log")).size(), "both commands ran the launcher");
    }

    private List<String> mvnCalls() throws Exception {
        Path log = tmp.resolve("mvn.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void theFlavourReachesMavenAndABuildHappensOncePerChange() throws Exception {
        Scripts.Result r = run("cuda", "--master", "yarn", "prepare");
        assertEquals(0, r.status(), r.out());
        assertEquals(1, mvnCalls().size(), r.out());
        String build = mvnCalls().get(0);
        assertTrue(build.contains("-Dlibtorch=cuda") && build.contains("package dependency:build-classpath")
                && build.contains("-pl submit/launcher,expert-parallel,submit/app -am"), build);
        String state = root.resolve(".omnispark").toString();
        assertEquals(List.of("-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp " + root
                + "/submit/launcher/target/omnispark-launcher-0.1.0.jar:/m2/spark-launcher_2.13-4.1.3.jar "
                + "org.omnispark.launcher.Main --master yarn prepare app=" + root
                + "/submit/app/target/omnispark-spark_2.13-0.1.0.jar cp=" + state + "/classpath home=" + root),
                Files.readAllLines(tmp.resolve("java.log")));
        assertEquals(root + "/data-pipeline/core/target/omnispark-core-0.1.0.jar:" + root
                + "/data-pipeline/target/omnispark-data-pipeline-0.1.0.jar:" + root
                + "/expert-parallel/target/omnispark-expert-parallel-0.1.0.jar:" + root
                + "/trainer/target/omnispark-trainer-0.1.0.jar:/m2/api.jar:/m2/x/pytorch-native-cpu.jar",
                Files.readString(Path.of(state, "classpath")).trim(), "module jars (no tests jars), then dependencies");

        run("cu128", "prepare");
        assertEquals(1, mvnCalls().size(), "cuda and cu128 build the same jars: no rebuild");
        run(null, "prepare");
        assertEquals(2, mvnCalls().size(), "back to cpu: rebuilt");
        assertFalse(mvnCalls().get(1).contains("-Dlibtorch"), mvnCalls().get(1));
        run(null, "prepare");
        assertEquals(2, mvnCalls().size(), "nothing changed: no build");
        Path source = Files.writeString(root.resolve("submit/launcher/src/main/java/X.java"), "class X {}\n");
        Files.setLastModifiedTime(source, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        run(null, "prepare");
        assertEquals(3, mvnCalls().size(), "the launcher's source changed: rebuilt");

        r = run("rocm", "prepare");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.out().contains("OMNISPARK_LIBTORCH must be cpu or cuda"), r.out());
        assertEquals(3, mvnCalls().size());
    }
}
