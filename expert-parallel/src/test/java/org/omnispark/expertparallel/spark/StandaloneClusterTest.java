package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The cluster path as an operator meets it: a real Spark standalone cluster (a Master and two Workers started from the
 * Spark jars, on loopback, each a JVM of its own; executors are JVMs the Workers start), and the application
 * submitted by {@code submit/omnispark --master spark://...}, whose Java launcher (submit/launcher) runs spark-submit
 * through Spark's launcher API with the application jar (submit/app's shaded omnispark-spark_2.13) and only libtorch's
 * natives in --jars. Through it: {@code prepare}, {@code train --ranks 2} (one rank per Worker) and {@code eval}.
 *
 * <p>The cluster's Spark home is a temporary folder whose {@code jars/} holds the Spark distribution's jars (those
 * of the test classpath that are not OmniSpark's, DJL's, JNA's or picocli's) and whose {@code bin/spark-submit} runs
 * Spark's {@code SparkSubmit}, as the real script does. The application jar is {@code -Domnispark.app.jar}, else
 * submit/app's jar when it is newer than the modules' classes, else (a reactor build tests this module before it
 * packages submit/app) one assembled here the same way: the three modules' classes with DJL, JNA and picocli and
 * the service files merged.
 */
class StandaloneClusterTest {
    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void prepareTrainOnTwoRanksAndEvalThroughSparkSubmit() throws Exception {
        Path tmp = Files.createTempDirectory("omnispark-standalone");
        Path home = sparkHome(tmp.resolve("spark"));
        Path classpath = applicationClasspath(tmp);
        Path appJar = applicationJar(tmp);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String master = "spark://127.0.0.1:" + port;
        List<Process> cluster = new ArrayList<>();
        try {
            cluster.add(daemon(home, tmp.resolve("master.log"), "org.apache.spark.deploy.master.Master", "--host",
                    "127.0.0.1", "--port", String.valueOf(port), "--webui-port", "0"));
            for (int w = 0; w < 2; w++) {
                cluster.add(daemon(home, tmp.resolve("worker" + w + ".log"), "org.apache.spark.deploy.worker.Worker",
                        "--host", "127.0.0.1", "--webui-port", "0", "--cores", "1", "--memory", "3g", "--work-dir",
                        tmp.resolve("work" + w).toString(), master));
            }
            waitForWorkers(tmp, 2);

            // The command's shape: the application jar, and nothing but libtorch's natives beside it.
            String dry = dryRun(home, classpath, appJar, master, "prepare", "--out", "o");
            assertTrue(dry.trim().matches(".* --jars [^ ,]*/pytorch-native-cpu-[^ ,]*\\.jar --class "
                    + "org\\.omnispark\\.cli\\.Main " + java.util.regex.Pattern.quote(appJar.toString())
                    + " prepare --out o"), dry);

            Path corpus = tmp.resolve("corpus");
            org.omnispark.data.synth.CorpusSynthesizer.builder().setOutputDir(corpus).setUtterances(16).optSeed(3)
                    .build().synthesize();
            Path manifest = corpus.resolve("manifest.jsonl");
            Path prepared = tmp.resolve("prepared");
            String prep = submit(home, classpath, appJar, master, tmp.resolve("prepare.log"), "prepare", "--manifest",
                    manifest.toString(), "--out", prepared.toString(), "--conf",
                    TinyDatasets.repoRoot().resolve("conf/data/prepare.yaml").toString(), "output.num_shards=2",
                    "filters.min_confidence=0");
            assertTrue(Files.exists(prepared.resolve("dataset.json")), prep);

            Path model = tmp.resolve("model");
            String train = submit(home, classpath, appJar, master, tmp.resolve("train.log"), "train", "--ranks", "2",
                    "--data", prepared.toString(), "--out", model.toString(), "--conf",
                    TinyDatasets.repoRoot().resolve("conf/train/tiny.yaml").toString(), "--model",
                    TinyDatasets.repoRoot().resolve("conf/model/tiny_omni.yaml").toString(),
                    "model.encoder_conf.output_size=32", "model.encoder_conf.attention_heads=2",
                    "model.encoder_conf.linear_units=64", "model.encoder_conf.num_blocks=2",
                    "model.decoder_conf.attention_heads=2", "model.decoder_conf.linear_units=64",
                    "train.batch.max_batch_size=4", "train.max_steps=2", "train.checkpoint.interval=2");
            assertTrue(train.contains("2 ranks on " + master), train);
            assertTrue(Files.exists(model.resolve("checkpoints/ckpt-2/checkpoint.json")), train);

            String eval = submit(home, classpath, appJar, master, tmp.resolve("eval.log"), "eval", "--model",
                    model.toString(), "--data", prepared.toString(), "--mode", "ctc_greedy");
            assertTrue(Files.exists(model.resolve("eval/report.json")), eval);
        } finally {
            for (Process p : cluster) {
                p.destroyForcibly();
            }
            for (Process p : cluster) {
                p.waitFor(30, TimeUnit.SECONDS);
            }
            try (Stream<Path> walk = Files.walk(tmp)) { // links in spark/jars are removed, not followed
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** A Spark home: jars/ with the distribution's jars, bin/spark-submit running SparkSubmit. */
    private static Path sparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.endsWith(".jar") || entry.contains("/org/omnispark/") || entry.contains("/ai/djl/")
                    || entry.contains("/info/picocli/") || entry.contains("/net/java/dev/jna/") || entry.contains("/junit/")
                    || entry.contains("/target/")) {
                continue;
            }
            Path link = jars.resolve(Path.of(entry).getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, Path.of(entry));
            }
        }
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path submit = bin.resolve("spark-submit");
        Files.writeString(submit, "#!/usr/bin/env bash\n# spark-submit of a Spark distribution, reduced to its core\n"
                + "exec \"" + javaBin() + "\" " + moduleOptions() + " -cp \"$SPARK_HOME/jars/*\" "
                + "org.apache.spark.deploy.SparkSubmit \"$@\"\n");
        submit.toFile().setExecutable(true);
        return home;
    }

    /** The runtime classpath the launcher picks libtorch's natives from (pytorch-native-cpu is on the test's). */
    private static Path applicationClasspath(Path tmp) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.endsWith(".jar") && !entry.contains("/org/omnispark/") && !entry.contains("/junit/")) {
                entries.add(entry);
            }
        }
        Path file = tmp.resolve("classpath");
        Files.writeString(file, String.join(":", entries) + "\n");
        return file;
    }

    /** The application jar: -Domnispark.app.jar, else submit/app's when current, else one assembled the same way. */
    private static Path applicationJar(Path tmp) throws IOException {
        String given = System.getProperty("omnispark.app.jar", "");
        if (!given.isEmpty()) {
            assertTrue(Files.isRegularFile(Path.of(given)), "-Domnispark.app.jar=" + given + " does not exist");
            return Path.of(given);
        }
        Path root = TinyDatasets.repoRoot();
        List<Path> classes = List.of(root.resolve("data-pipeline/core/target/classes"), root.resolve("data-pipeline/target/classes"),
                root.resolve("trainer/target/classes"), root.resolve("expert-parallel/target/classes"));
        long newestClass = 0;
        for (Path dir : classes) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    newestClass = Math.max(newestClass, Files.getLastModifiedTime(f).toMillis());
                }
            }
        }
        Path target = root.resolve("submit/app/target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                var shaded = files.filter(f -> f.getFileName().toString().matches("omnispark-spark_2\\.13-.*\\.jar"))
                        .findFirst();
                if (shaded.isPresent() && Files.getLastModifiedTime(shaded.get()).toMillis() >= newestClass) {
                    return shaded.get();
                }
            }
        }
        // As submit/app's pom shades it: the modules' classes, DJL (not libtorch), JNA and picocli; services merged.
        Path jar = tmp.resolve("omnispark-spark_2.13-assembled.jar");
        java.util.Set<String> seen = new java.util.HashSet<>();
        Map<String, StringBuilder> services = new java.util.TreeMap<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Path dir : classes) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path f : walk.filter(Files::isRegularFile).toList()) {
                        add(out, seen, services, dir.relativize(f).toString().replace('\\', '/'),
                                Files.readAllBytes(f));
                    }
                }
            }
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                if (entry.endsWith(".jar") && (entry.contains("/ai/djl/") || entry.contains("/net/java/dev/jna/")
                        || entry.contains("/info/picocli/")) && !entry.contains("pytorch-native")) {
                    try (java.util.jar.JarFile in = new java.util.jar.JarFile(entry)) {
                        for (JarEntry e : java.util.Collections.list(in.entries())) {
                            if (!e.isDirectory()) {
                                add(out, seen, services, e.getName(), in.getInputStream(e).readAllBytes());
                            }
                        }
                    }
                }
            }
            for (Map.Entry<String, StringBuilder> e : services.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void add(JarOutputStream out, java.util.Set<String> seen, Map<String, StringBuilder> services,
            String name, byte[] bytes) throws IOException {
        if (name.startsWith("META-INF/services/")) {
            services.computeIfAbsent(name, k -> new StringBuilder())
                    .append(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).trim()).append('\n');
        } else if (!name.equals("META-INF/MANIFEST.MF") && !name.matches("META-INF/[^/]*\\.(SF|DSA|RSA)")
                && !name.endsWith("module-info.class") && seen.add(name)) {
            out.putNextEntry(new JarEntry(name));
            out.write(bytes);
            out.closeEntry();
        }
    }

    private static Process daemon(Path home, Path log, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBin()));
        cmd.addAll(List.of(moduleOptions().split(" ")));
        cmd.addAll(List.of("-Xmx512m", "-cp", home.resolve("jars") + "/*", mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        env(pb.environment(), home);
        return pb.start();
    }

    private static void env(Map<String, String> env, Path home) {
        env.put("SPARK_HOME", home.toString());
        env.put("OMNISPARK_LAUNCHER_CP", launcherClasspath());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_HOSTNAME", "localhost");
    }

    private static void waitForWorkers(Path tmp, int workers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            int registered = 0;
            for (int w = 0; w < workers; w++) {
                Path log = tmp.resolve("worker" + w + ".log");
                if (Files.exists(log) && Files.readString(log).contains("Successfully registered with master")) {
                    registered++;
                }
            }
            if (registered == workers) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the Workers did not register with the Master within 2 minutes:\n"
                + Files.readString(tmp.resolve("master.log")) + "\n" + Files.readString(tmp.resolve("worker0.log")));
    }

    /** The spark-submit command the launcher would run (OMNISPARK_DRY_RUN). */
    private static String dryRun(Path home, Path classpath, Path appJar, String master, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", TinyDatasets.repoRoot().resolve("submit/omnispark")
                .toString(), "--master", master));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        env(pb.environment(), home);
        pb.environment().put("OMNISPARK_CLASSPATH_FILE", classpath.toString());
        pb.environment().put("OMNISPARK_APP_JAR", appJar.toString());
        pb.environment().put("OMNISPARK_DRY_RUN", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** submit/omnispark --master MASTER ARGS, as a user runs it; returns its output (fails the test on exit != 0). */
    private static String submit(Path home, Path classpath, Path appJar, String master, Path log, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", TinyDatasets.repoRoot().resolve("submit/omnispark")
                .toString(), "--master", master));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        env(pb.environment(), home);
        pb.environment().put("OMNISPARK_CLASSPATH_FILE", classpath.toString());
        pb.environment().put("OMNISPARK_APP_JAR", appJar.toString());
        pb.environment().put("OMNISPARK_SUBMIT_OPTS", "--conf spark.driver.host=127.0.0.1 --conf "
                + "spark.driver.bindAddress=127.0.0.1 --conf spark.ui.enabled=false --conf spark.executor.memory=2g "
                + "--conf spark.executor.cores=1 --driver-memory 2g");
        Process p = pb.start();
        boolean done = p.waitFor(6, TimeUnit.MINUTES);
        String out = Files.readString(log);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish within 6 minutes:\n" + tail(out));
        }
        assertEquals(0, p.exitValue(), String.join(" ", args) + " failed:\n" + tail(out));
        return out;
    }

    private static String tail(String s) {
        return s.substring(Math.max(0, s.length() - 6000));
    }

    /** The Java launcher submit/omnispark runs (this module's test dependency), so that the script builds nothing. */
    private static String launcherClasspath() {
        List<String> keep = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.contains("spark-launcher_") || entry.contains("omnispark-launcher")
                    || entry.replace('\\', '/').endsWith("submit/launcher/target/classes")) {
                keep.add(entry);
            }
        }
        assertTrue(keep.size() == 2, "the launcher and spark-launcher on the test classpath: " + keep);
        return String.join(java.io.File.pathSeparator, keep);
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This JVM's module options (Spark needs them on every JVM of the cluster). */
    private static String moduleOptions() {
        List<String> keep = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("--add-modules")
                    || arg.equals("-XX:+IgnoreUnrecognizedVMOptions") || arg.startsWith("-Djdk.reflect")
                    || arg.startsWith("-Dio.netty")) {
                keep.add(arg);
            }
        }
        return String.join(" ", keep);
    }
}
