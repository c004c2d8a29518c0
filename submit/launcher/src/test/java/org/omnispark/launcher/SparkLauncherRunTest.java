package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real run goes through Spark's launcher API: SparkLauncher starts $SPARK_HOME/bin/spark-submit (here a script that
 * writes down its arguments and environment and exits with 7). What it ran is what the dry run printed, argument for
 * argument; only the --conf pairs may come in another order (SparkLauncher keeps them in a hash map), which changes
 * nothing for Spark since each key appears once.
 */
class SparkLauncherRunTest {

    @TempDir
    Path tmp;
    Fixture f;
    Path recorded;

    @BeforeEach
    void machine() throws Exception {
        f = new Fixture(tmp);
        recorded = tmp.resolve("args");
        Files.writeString(f.sparkHome.resolve("bin/spark-submit"), "#!/bin/bash\nprintf '%s\\0' \"$@\" > '" + recorded
                + "'\nprintf 'PYTORCH_FLAVOR=%s\\n' \"${PYTORCH_FLAVOR:-}\" > '" + recorded + ".env'\n"
                + "echo submitted; exit 7\n");
        Files.writeString(tmp.resolve("app.jar"), "");
        Files.writeString(tmp.resolve("p.conf"), "spark.ui.enabled false\n");
    }

    private List<String> ran() throws Exception {
        String text = Files.readString(recorded);
        return List.of(text.substring(0, text.length() - 1).split("\0", -1));
    }

    /** The --conf pairs sorted, everything else in place. */
    private static List<String> confsSorted(List<String> args) {
        List<String> pairs = new ArrayList<>();
        List<String> out = new ArrayList<>();
        int first = -1;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--conf")) {
                first = first < 0 ? out.size() : first;
                pairs.add(args.get(++i));
            } else {
                out.add(args.get(i));
            }
        }
        pairs.sort(null);
        List<String> sorted = new ArrayList<>(out.subList(0, Math.max(first, 0)));
        pairs.forEach(p -> sorted.addAll(List.of("--conf", p)));
        sorted.addAll(out.subList(Math.max(first, 0), out.size()));
        return sorted;
    }

    @Test
    void sparkLauncherRunsExactlyTheDryRunsCommandAndItsStatusComesBack() throws Exception {
        Map<String, String> env = f.env("OMNISPARK_APP_JAR", tmp.resolve("app.jar").toString(),
                "OMNISPARK_GPUS_PER_EXECUTOR", "2", "OMNISPARK_SUBMIT_OPTS", "--name 'my job' --files /x/y.txt "
                + "--packages a:b:1 --supervise --verbose --driver-java-options '-Da=1 -Db=2' --properties-file " + tmp.resolve("p.conf"));
        SubmitCommand planned = f.submit(env, "--cluster", f.shipped("yarn.conf"), "train", "--ranks", "4", "--conf",
                Fixture.repo("conf/train/tiny.yaml"), "it's quoted");
        assertEquals(7, planned.run());
        assertEquals(confsSorted(planned.arguments()), confsSorted(ran()));
        assertTrue(ran().contains("it's quoted") && ran().contains("--deploy-mode"), ran().toString());
    }

    @Test
    void throughMainTheDryRunPrintsAndTheRunRelaysTheStatus() throws Exception {
        Map<String, String> env = new HashMap<>(f.env("OMNISPARK_APP_JAR", tmp.resolve("app.jar").toString(),
                "OMNISPARK_LIBTORCH", "cuda", "OMNISPARK_CLASSPATH_FILE", f.cudaClasspath.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(List.of("--master", "yarn", "prepare", "--out", "o"), env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(7, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("PYTORCH_FLAVOR=cu126\n", Files.readString(Path.of(recorded + ".env")),
                "client mode: the driver (spark-submit's child) gets the flavour");
        env.put("OMNISPARK_DRY_RUN", "1");
        out.reset();
        assertEquals(0, Main.run(List.of("--master", "yarn", "prepare", "--out", "o"), env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        String printed = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(printed.startsWith("PYTORCH_FLAVOR=cu126 PYTORCH_VERSION=2.7.1 " + f.sparkHome
                + "/bin/spark-submit --master yarn --conf "), printed);
        assertTrue(printed.endsWith(" --class org.omnispark.cli.Main " + tmp.resolve("app.jar") + " prepare --out o"),
                printed);
        out.reset();
        err.reset();
        env.put("OMNISPARK_LIBTORCH", "rocm");
        assertEquals(2, Main.run(List.of("--master", "yarn", "prepare"), env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("omnispark: OMNISPARK_LIBTORCH must be cpu or cuda"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRealRunNeedsSparkHomeAndTheApplicationJar() throws Exception {
        SubmitCommand noHome = f.submit(f.env("SPARK_HOME", null), "--master", "yarn", "prepare");
        assertTrue(noHome.dryRun().contains("\"$SPARK_HOME\"/bin/spark-submit --master yarn"), noHome.dryRun());
        LaunchException e = org.junit.jupiter.api.Assertions.assertThrows(LaunchException.class, noHome::run);
        assertTrue(e.getMessage().contains("needs SPARK_HOME"), e.getMessage());
        SubmitCommand noJar = f.submit(f.env("OMNISPARK_APP_JAR", tmp.resolve("none.jar").toString()), "--master",
                "yarn", "prepare");
        e = org.junit.jupiter.api.Assertions.assertThrows(LaunchException.class, noJar::run);
        assertTrue(e.getMessage().startsWith("no application jar at "), e.getMessage());
    }
}
