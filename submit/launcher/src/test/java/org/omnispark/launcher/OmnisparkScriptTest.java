package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code submit/omnispark} as a user runs it: the shim hands over to the Java launcher (its classes from this build,
 * through OMNISPARK_LAUNCHER_CP, so nothing is built), which prints the command in a dry run, refuses with exit status 2,
 * and otherwise runs spark-submit (a made-up one) or a local JVM (a made-up org.omnispark.cli.Main) and exits with its
 * status; JVM notices are filtered unless --verbose.
 */
class OmnisparkScriptTest {

    @TempDir
    Path tmp;
    Fixture f;
    Path script;

    @BeforeEach
    void machine() throws Exception {
        f = new Fixture(tmp);
        script = Fixture.repoRoot().resolve("submit/omnispark");
    }

    private Map<String, String> env(String... nameValue) {
        Map<String, String> env = new HashMap<>(f.env(nameValue));
        env.remove("OMNISPARK_HOME"); // the script sets it
        env.put("OMNISPARK_LAUNCHER_CP", Scripts.launcherClasspath());
        env.put("OMNISPARK_STATE_DIR", tmp.resolve("state").toString());
        return env;
    }

    private Scripts.Result run(Map<String, String> env, String... args) throws Exception {
        return Scripts.bash(script, env, List.of("OMNISPARK_LIBTORCH", "OMNISPARK_DRY_RUN", "OMNISPARK_SUBMIT_OPTS",
                "OMNISPARK_GPUS_PER_EXECUTOR", "OMNISPARK_VERBOSE", "CUDA_VISIBLE_DEVICES", "GLIBC_TUNABLES"), args);
    }

    @Test
    void aDryRunPrintsTheSparkSubmitCommand() throws Exception {
        Scripts.Result r = run(env("OMNISPARK_DRY_RUN", "1"), "--master", "yarn", "train", "--ranks", "2", "--data", "d");
        assertEquals(0, r.status(), r.out());
        String line = r.out().trim();
        assertTrue(line.startsWith("GLIBC_TUNABLES=glibc.malloc.hugetlb=1 " + f.sparkHome
                + "/bin/spark-submit --master yarn --conf "), line);
        assertTrue(line.endsWith(" --jars " + Fixture.NATIVES + " --class org.omnispark.cli.Main " + Fixture.APP_JAR
                + " train --ranks 2 --data d"), line);
        assertTrue(line.contains(" --conf spark.dynamicAllocation.enabled=false --conf spark.executor.instances=2 "),
                line);
    }

    @Test
    void aRefusalExitsWith2AndRunsNothing() throws Exception {
        Scripts.Result r = run(env("OMNISPARK_GPUS_PER_EXECUTOR", "many"), "--master", "yarn", "prepare");
        assertEquals(2, r.status(), r.out());
        assertEquals("omnispark: OMNISPARK_GPUS_PER_EXECUTOR must be a positive number, got 'many'\n", r.out());
        r = run(env(), "--cluster", tmp.resolve("missing.conf").toString(), "prepare");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.out().startsWith("omnispark: --cluster ") && r.out().contains("no such file"), r.out());
    }

    @Test
    void aRealSubmissionGoesThroughSparkLauncherAndItsStatusAndOutputComeBack() throws Exception {
        Files.writeString(f.sparkHome.resolve("bin/spark-submit"), "#!/bin/bash\necho \"spark-submit $*\"\n"
                + "echo 'WARNING: Using incubator modules: jdk.incubator.vector' >&2\necho 'a real error' >&2\nexit 3\n");
        Files.writeString(tmp.resolve("app.jar"), "");
        Map<String, String> env = env("OMNISPARK_APP_JAR", tmp.resolve("app.jar").toString(),
                "OMNISPARK_SUBMIT_OPTS", "--executor-memory 2g");
        Scripts.Result r = run(env, "--master", "spark://127.0.0.1:7077", "prepare", "--out", "o");
        assertEquals(3, r.status(), r.out());
        assertTrue(r.out().contains("spark-submit --master spark://127.0.0.1:7077 --conf ")
                && r.out().contains("spark.executor.memory=2g") && r.out().contains(" prepare --out o"), r.out());
        assertTrue(r.out().contains("a real error"), r.out());
        assertFalse(r.out().contains("WARNING: Using incubator"), "quiet by default: " + r.out());
        r = run(env, "--verbose", "--master", "spark://127.0.0.1:7077", "prepare", "--out", "o");
        assertTrue(r.out().contains("WARNING: Using incubator modules"), "--verbose keeps it: " + r.out());
    }

    @Test
    void aLocalRunStartsTheCliJvmWithTheClusterFilesPropertiesAndItsStatusComesBack() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/org/omnispark/cli")).resolve("Main.java");
        Files.writeString(src, """
                package org.omnispark.cli;
                public class Main {
                    public static void main(String[] args) {
                        System.out.println("cli " + String.join(" ", args) + " master=" + System.getenv("OMNISPARK_MASTER")
                                + " partitions=" + System.getProperty("spark.sql.shuffle.partitions")
                                + " log=" + System.getProperty("log4j2.configurationFile"));
                        System.exit(5);
                    }
                }
                """);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.toString()));
        Path cp = tmp.resolve("cli.classpath");
        Files.writeString(cp, classes + "\n");
        Scripts.Result r = run(env("OMNISPARK_CLASSPATH_FILE", cp.toString(), "OMNISPARK_JAVA_OPTS", "-Xmx64m"),
                "--cluster", Fixture.repo("conf/cluster/local.conf"), "synth", "--out", "c");
        assertEquals(5, r.status(), r.out());
        assertEquals("cli synth --out c master=local[*] partitions=8 log=" + Fixture.repo("conf/log4j2.properties")
                + "\n", r.out());
        r = run(env("OMNISPARK_CLASSPATH_FILE", cp.toString(), "OMNISPARK_JAVA_OPTS", "-Xmx64m"), "--help");
        assertEquals(5, r.status(), r.out());
        assertTrue(r.out().startsWith("OmniSpark launcher: one entry point"), r.out());
        assertTrue(r.out().contains("\ncli --help master=null"), "then the CLI's own help: " + r.out());
    }

    @Test
    void theScriptsOwnCommandsCheckTheirArguments() throws Exception {
        Scripts.Result r = run(env(), "chaos", "--seeds", "x");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.out().contains("chaos needs --seed S or --seeds A-B"), r.out());
        r = run(env());
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("submit/omnispark [--verbose] [--cluster FILE] [--master URL] COMMAND"), r.out());
        assertTrue(Files.readString(script).lines().count() < 220, "a short shim: the logic is in Java");
        assertFalse(Files.readString(script).contains("spark-submit\" "), "no command building left in bash");
    }
}
