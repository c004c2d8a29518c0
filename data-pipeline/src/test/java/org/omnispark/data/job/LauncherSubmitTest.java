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
 * What {@code submit/omnispark --master ...} hands to spark-submit (OMNISPARK_DRY_RUN prints it), against a Spark home
 * whose {@code jars/} holds some of the application's dependencies: only the missing jars are shipped, a training
 * run gets a barrier-compatible setup and one executor per rank, GPUs get Spark's resource scheduling (and the pod
 * template on Kubernetes), and what would fail on the cluster fails here first, with the way out.
 */
class LauncherSubmitTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out) {
    }

    private Result launch(Map<String, String> env, String... args) throws Exception {
        Path home = tmp.resolve("spark");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("jars"));
        Path submit = home.resolve("bin/spark-submit");
        Files.writeString(submit, "#!/bin/sh\necho should-not-run\n");
        submit.toFile().setExecutable(true);
        Files.writeString(home.resolve("jars/jackson-databind-2.18.2.jar"), "");
        Files.writeString(home.resolve("jars/spark-core_2.13-4.1.3.jar"), "");
        Path cp = tmp.resolve("classpath");
        Files.writeString(cp, "/app/omnispark-data-pipeline-0.1.0.jar:/app/omnispark-trainer-0.1.0.jar:"
                + "/m2/jackson-databind-2.18.2.jar:/m2/api-0.35.1.jar\n");
        List<String> cmd = new ArrayList<>(List.of("bash", TestCorpora.repoRoot().resolve("submit/omnispark")
                .toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("OMNISPARK_CLASSPATH_FILE", cp.toString());
        pb.environment().put("OMNISPARK_DRY_RUN", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    @Test
    void onlyMissingJarsAreShippedAndTrainingGetsABarrierSetup() throws Exception {
        Result r = launch(Map.of(), "--master", "yarn", "train", "--ranks", "4", "--data", "d", "--out", "o");
        assertEquals(0, r.code(), r.out());
        String out = r.out();
        assertTrue(out.contains("--master yarn") && out.contains("--class org.omnispark.cli.Main"), out);
        assertTrue(out.contains("--jars /app/omnispark-trainer-0.1.0.jar,/m2/api-0.35.1.jar"), out);
        assertFalse(out.contains("/m2/jackson-databind"), "the cluster's own Jackson wins: " + out);
        assertTrue(out.contains("/app/omnispark-data-pipeline-0.1.0.jar train --ranks 4 --data d --out o"), out);
        assertTrue(out.contains("spark.dynamicAllocation.enabled=false"), out);
        assertTrue(out.contains("spark.executor.instances=4"), out);
        assertTrue(out.contains("--add-opens"), "the Java 17 options reach driver and executors: " + out);
        assertFalse(out.contains("gpu"), out);
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
}
