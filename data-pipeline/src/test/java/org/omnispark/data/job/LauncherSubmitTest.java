package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code submit/omnispark --master ...} hands to spark-submit (OMNISPARK_DRY_RUN prints it): the application jar
 * (submit/app's shaded omnispark-spark_2.13) as the application and only libtorch's natives in --jars, a training
 * run gets a barrier-compatible setup and one executor per rank, GPUs get Spark's resource scheduling (and the pod
 * template on Kubernetes), and what would fail on the cluster fails here first, with the way out.
 */
class LauncherSubmitTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out) {
    }

    /** The shaded application jar (submit/app) the launcher submits. */
    private static final String APP_JAR = "/app/omnispark-spark_2.13-0.1.0.jar";
    private static final String NATIVES = "/m2/pytorch-native-cpu-2.7.1-linux-x86_64.jar";

    private Result launch(Map<String, String> env, String... args) throws Exception {
        Path home = tmp.resolve("spark");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("jars"));
        Path submit = home.resolve("bin/spark-submit");
        Files.writeString(submit, "#!/bin/sh\necho should-not-run\n");
        submit.toFile().setExecutable(true);
        Files.writeString(home.resolve("jars/jackson-databind-2.18.2.jar"), "");
        Files.writeString(home.resolve("jars/spark-core_2.13-4.2.0.jar"), "");
        Path cp = tmp.resolve("classpath");
        // The build's runtime classpath (a tests jar first, as `ls` once sorted it): only its libtorch natives jar
        // travels beside the application jar.
        Files.writeString(cp, "/app/omnispark-data-pipeline-0.1.0-tests.jar:/app/omnispark-data-pipeline-0.1.0.jar:"
                + "/app/omnispark-trainer-0.1.0.jar:/m2/jackson-databind-2.18.2.jar:/m2/api-0.35.1.jar:"
                + "/m2/junit-jupiter-api-5.11.4.jar:/m2/pytorch-native-cpu-2.7.1-linux-x86_64.jar\n");
        List<String> cmd = new ArrayList<>(List.of("bash", TestCorpora.repoRoot().resolve("submit/omnispark")
                .toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("OMNISPARK_CLASSPATH_FILE", cp.toString());
        pb.environment().put("OMNISPARK_APP_JAR", APP_JAR);
        pb.environment().remove("OMNISPARK_LIBTORCH");
        pb.environment().put("OMNISPARK_DRY_RUN", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    @Test
    void theApplicationJarIsSubmittedWithOnlyTheNativesAndTrainingGetsABarrierSetup() throws Exception {
        Result r = launch(Map.of(), "--master", "yarn", "train", "--ranks", "4", "--data", "d", "--out", "o");
        assertEquals(0, r.code(), r.out());
        String out = r.out().trim();
        assertTrue(out.contains("--master yarn") && out.contains("--class org.omnispark.cli.Main"), out);
        assertTrue(out.endsWith(" --jars " + NATIVES + " " + APP_JAR + " train --ranks 4 --data d --out o"),
                "the application jar is the shaded one, --jars holds only libtorch's natives: " + out);
        assertEquals(1, out.split(" --jars ", -1).length - 1, out);
        for (String never : List.of("-tests.jar", "omnispark-data-pipeline", "omnispark-trainer", "jackson-databind",
                "/m2/api-", "junit-jupiter")) {
            assertFalse(out.contains(never), never + " must not be submitted: " + out);
        }
        assertTrue(out.contains("spark.dynamicAllocation.enabled=false"), out);
        assertTrue(out.contains("spark.executor.instances=4"), out);
        assertTrue(out.contains("--add-opens"), "the Java 17 options reach driver and executors: " + out);
        assertFalse(out.contains("gpu"), out);
    }

    @Test
    void cudaSubmitsTheApplicationJarAloneAndAnUnknownFlavourIsRefused() throws Exception {
        Result cuda = launch(Map.of("OMNISPARK_LIBTORCH", "cuda"), "--master", "k8s://https://k:6443", "prepare");
        assertEquals(0, cuda.code(), cuda.out());
        assertFalse(cuda.out().contains("--jars") || cuda.out().contains("pytorch-native"), "no CPU natives: "
                + cuda.out());
        assertTrue(cuda.out().trim().endsWith(" " + APP_JAR + " prepare"), cuda.out());
        Result bad = launch(Map.of("OMNISPARK_LIBTORCH", "rocm"), "--master", "yarn", "prepare");
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.out().contains("OMNISPARK_LIBTORCH must be cpu or cuda"), bad.out());
    }

    @Test
    void gpusGetSparksResourceSchedulingAndAPodTemplateOnKubernetes() throws Exception {
        Result yarn = launch(Map.of("OMNISPARK_GPUS_PER_EXECUTOR", "1"), "--master", "yarn", "train", "--ranks",
                "2", "--data", "d", "--out", "o");
        assertEquals(0, yarn.code(), yarn.out());
        assertTrue(yarn.out().contains("spark.executor.resource.gpu.amount=1")
                && yarn.out().contains("spark.task.resource.gpu.amount=1")
                && yarn.out().contains("gpu-discovery.sh"), yarn.out());
        Result k8s = launch(Map.of("OMNISPARK_GPUS_PER_EXECUTOR", "1"), "--master", "k8s://https://k:6443", "train",
                "--ranks", "2", "--data", "d", "--out", "o");
        assertEquals(0, k8s.code(), k8s.out());
        assertTrue(k8s.out().contains("spark.executor.resource.gpu.vendor=nvidia.com")
                && k8s.out().contains("executor-gpu-pod.yaml"), k8s.out());
        assertTrue(Files.readString(TestCorpora.repoRoot().resolve("submit/k8s/executor-gpu-pod.yaml"))
                .contains("nvidia.com/gpu: 1"));
    }

    @Test
    void whatWouldFailOnTheClusterFailsHereWithTheWayOut() throws Exception {
        Result dyn = launch(Map.of("OMNISPARK_SUBMIT_OPTS", "--conf spark.dynamicAllocation.enabled=true"),
                "--master", "spark://127.0.0.1:7077", "train", "--ranks", "2", "--data", "d", "--out", "o");
        assertEquals(2, dyn.code(), dyn.out());
        assertTrue(dyn.out().contains("dynamic allocation") && dyn.out().contains("remove"), dyn.out());
        Result zero = launch(Map.of(), "--master", "yarn", "train", "--ranks", "0", "--data", "d", "--out", "o");
        assertEquals(2, zero.code(), zero.out());
        Result gpus = launch(Map.of("OMNISPARK_GPUS_PER_EXECUTOR", "many"), "--master", "yarn", "prepare");
        assertEquals(2, gpus.code(), gpus.out());
        Result standalone = launch(Map.of(), "--master", "spark://127.0.0.1:7077", "train", "--ranks", "2");
        assertFalse(standalone.out().contains("spark.executor.instances"), "standalone sizes by cores: "
                + standalone.out());
    }

    private String cluster(String name, String text) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, text);
        return file.toString();
    }

    private static String shipped(String name) {
        return TestCorpora.repoRoot().resolve("conf/cluster/" + name).toString();
    }

    @Test
    void aClusterFileGivesTheMasterAndItsPropertiesReachSparkSubmit() throws Exception {
        Result r = launch(Map.of(), "--cluster", shipped("yarn.conf"), "train", "--ranks", "4", "--data", "d",
                "--out", "o");
        assertEquals(0, r.code(), r.out());
        String out = r.out();
        assertTrue(out.contains("--master yarn"), "spark.master of the file: " + out);
        assertTrue(out.contains("--conf spark.submit.deployMode=cluster")
                && out.contains("--conf spark.executor.memoryOverhead=8g")
                && out.contains("--conf spark.yarn.maxAppAttempts=1"), out);
        assertEquals(1, out.split("spark.executor.instances=", -1).length - 1, "the file's count, once: " + out);
        assertEquals(1, out.split("spark.dynamicAllocation.enabled=", -1).length - 1, out);
        assertFalse(out.contains("spark.master="), "the master goes in --master, not --conf: " + out);

        Result wins = launch(Map.of(), "--cluster", shipped("yarn.conf"), "--master", "spark://127.0.0.1:7077",
                "prepare");
        assertTrue(wins.out().contains("--master spark://127.0.0.1:7077"), "--master wins: " + wins.out());

        Result local = launch(Map.of(), "--verbose", "--cluster", shipped("local.conf"), "prepare", "--out", "o");
        assertEquals(0, local.code(), local.out());
        assertTrue(local.out().startsWith("OMNISPARK_MASTER=local[*] java"), local.out());
        assertTrue(local.out().contains("-Dspark.sql.shuffle.partitions=8"), "system properties: " + local.out());
        assertTrue(local.out().contains("log4j2-verbose.properties"), "--verbose logs everything: " + local.out());
        Result quiet = launch(Map.of(), "prepare");
        assertTrue(quiet.out().contains("conf/log4j2.properties") && quiet.out().startsWith("OMNISPARK_MASTER= "),
                quiet.out());
    }

    @Test
    void everyShippedClusterFileIsValidOnceItsPlaceholdersAreFilled() throws Exception {
        for (String name : List.of("local.conf", "standalone.conf", "yarn.conf", "k8s.conf")) {
            String text = Files.readString(Path.of(shipped(name)));
            if (text.contains("CHANGE_ME")) {
                Result r = launch(Map.of(), "--cluster", shipped(name), "prepare");
                assertEquals(2, r.code(), name + ": " + r.out());
                assertTrue(r.out().contains("for your cluster") && r.out().contains(name), r.out());
            }
            Result r = launch(Map.of(), "--cluster", cluster(name, text.replace("CHANGE_ME", "host1")), "train",
                    "--ranks", "4", "--data", "d", "--out", "o");
            assertEquals(0, r.code(), name + ": " + r.out());
        }
    }

    @Test
    void aBadClusterFileFailsBeforeAnythingStartsNamingTheLine() throws Exception {
        Map<String, String> bad = Map.of(
                "executor.memory 8g\n", "line 1: 'executor.memory' is not a Spark property",
                "spark.master yarn\n\nspark.executor.instances four\n", "line 3: spark.executor.instances must be a whole",
                "spark.executor.memory 8 GB\n", "must be a size such as 8g",
                "spark.dynamicAllocation.enabled yes\n", "must be true or false",
                "spark.master yarn\nspark.master k8s://x\n", "line 2: spark.master is set twice",
                "spark.master\n", "expected a Spark property and its value");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Result r = launch(Map.of(), "--cluster", cluster("bad.conf", e.getKey()), "--master", "yarn", "prepare");
            assertEquals(2, r.code(), e.getKey() + r.out());
            assertTrue(r.out().contains("bad.conf " + e.getValue().split(": ")[0])
                    || r.out().contains(e.getValue()), "for " + e.getKey() + " expected '" + e.getValue() + "': "
                    + r.out());
            assertTrue(r.out().contains(e.getValue().contains(": ") ? e.getValue().split(": ", 2)[1]
                    : e.getValue()), r.out());
            assertFalse(r.out().contains("spark-submit"), "nothing ran: " + r.out());
        }
        String few = cluster("few.conf", "spark.master yarn\nspark.executor.instances 2\n");
        Result r = launch(Map.of(), "--cluster", few, "train", "--ranks", "4", "--data", "d");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("needs 4 executors") && r.out().contains("spark.executor.instances 2"), r.out());
        String dyn = cluster("dyn.conf", "spark.master yarn\nspark.dynamicAllocation.enabled true\n");
        r = launch(Map.of(), "--cluster", dyn, "train", "--ranks", "2", "--data", "d");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("set spark.dynamicAllocation.enabled false in " + dyn), r.out());
        r = launch(Map.of(), "--cluster", tmp.resolve("missing.conf").toString(), "prepare");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("no such file") && r.out().contains("conf/cluster"), r.out());
    }

    /**
     * OMNISPARK_SUBMIT_OPTS is split as a shell splits words (quoted spaces kept), and a user's extraJavaOptions (there
     * or in a cluster file) are added to the Java 17 module options instead of replacing them.
     */
    @Test
    void submitOptionsKeepQuotedSpacesAndUserJavaOptionsKeepTheModuleOptions() throws Exception {
        String conf = cluster("java.conf", "spark.master yarn\nspark.driver.extraJavaOptions -Dfrom=file\n");
        Result r = launch(Map.of("OMNISPARK_SUBMIT_OPTS", "--name 'my job' --conf "
                + "\"spark.executor.extraJavaOptions=-Dx=1 -Dy=2\" --driver-java-options -Dd=3"), "--cluster", conf,
                "prepare", "--help");
        assertEquals(0, r.code(), r.out());
        String out = r.out();
        assertTrue(out.contains(" --name 'my job' "), "one argument with its space: " + out);
        assertEquals(1, out.split("spark.executor.extraJavaOptions=", -1).length - 1, out);
        assertEquals(1, out.split("spark.driver.extraJavaOptions=", -1).length - 1, out);
        assertFalse(out.contains("--driver-java-options"), "merged into the driver's options: " + out);
        String executor = out.substring(out.indexOf("spark.executor.extraJavaOptions="));
        executor = executor.substring(0, executor.indexOf('\''));
        assertTrue(executor.contains("--add-opens=java.base/java.nio=ALL-UNNAMED") && executor.endsWith(" -Dx=1 -Dy=2"),
                executor);
        String driver = out.substring(out.indexOf("spark.driver.extraJavaOptions="));
        driver = driver.substring(0, driver.indexOf('\''));
        assertTrue(driver.contains("--add-opens=java.base/java.nio=ALL-UNNAMED") && driver.endsWith(" -Dfrom=file -Dd=3"),
                driver);
        Result bad = launch(Map.of("OMNISPARK_SUBMIT_OPTS", "--name 'unbalanced"), "--master", "yarn", "prepare");
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.out().contains("unbalanced quotes"), bad.out());
    }
}
