package org.omnispark.data.job;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * A SparkSession on {@code local-cluster[W,C,M]}: a Master and W Workers inside this JVM, and executors that the
 * Workers start as separate JVMs, all on loopback, without a Spark distribution (the Maven test classpath is the
 * distribution). For tests that must cross a process boundary: serialization, per-JVM singletons, static state.
 *
 * <p>How the executors find Spark, since a test JVM cannot set its own environment:
 * <ul>
 *   <li>The Worker's Spark home is the {@code spark.test.home} system property when {@code spark.testing} is set
 *       (Spark's own test hook; otherwise it is env {@code SPARK_HOME} or "."). Both are set only while the
 *       session starts (the Workers read them in their constructors), then restored. The home is a temp folder
 *       whose {@code jars/} links every jar of the test classpath; the Workers' {@code work/} (executor logs)
 *       lands there too.</li>
 *   <li>{@code SPARK_SCALA_VERSION} goes in as {@code spark.executorEnv.SPARK_SCALA_VERSION}: the Worker's command
 *       builder reads the executor environment before the process environment.</li>
 *   <li>{@code spark.executor.extraClassPath} = the test classpath (target/classes and target/test-classes
 *       included), {@code spark.executor.extraJavaOptions} = this JVM's module flags (--add-opens ...).</li>
 * </ul>
 * Only one SparkContext can live in a JVM: close any other session first, and close this one (try-with-resources).
 *
 * <pre>{@code
 * try (LocalClusterSpark cluster = LocalClusterSpark.builder().optWorkers(2).build()) {
 *     SparkSession spark = cluster.spark();
 * }
 * }</pre>
 */
public final class LocalClusterSpark implements AutoCloseable {
    /** Used when this JVM was started without module flags (e.g. from an IDE); the list of the parent pom. */
    static final String DEFAULT_JVM_OPENS = "-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector"
            + " --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
            + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
            + " --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
            + " --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
            + " --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED"
            + " --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
            + " --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED"
            + " --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
            + " -Dio.netty.tryReflectionSetAccessible=true";

    private final SparkSession spark;
    private final Path sparkHome;
    private final int workers;

    private LocalClusterSpark(SparkSession spark, Path sparkHome, int workers) {
        this.spark = spark;
        this.sparkHome = sparkHome;
        this.workers = workers;
    }

    /** A builder; every setting is optional (2 workers x 1 core x 1024 MiB). */
    public static Builder builder() {
        return new Builder();
    }

    /** The session; its executors are other processes. */
    public SparkSession spark() {
        return spark;
    }

    /** The temp Spark home: {@code jars/} (links) and {@code work/APP/EXEC/stderr} (executor logs). */
    public Path sparkHome() {
        return sparkHome;
    }

    /** The last {@code maxChars} characters of every executor's stderr, for failure messages. */
    public String executorLogTails(int maxChars) {
        StringBuilder sb = new StringBuilder();
        Path work = sparkHome.resolve("work");
        if (!Files.isDirectory(work)) {
            return "(no executor logs under " + work + ")";
        }
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList()) {
                String text = Files.readString(f);
                sb.append("==> ").append(f).append('\n')
                        .append(text.substring(Math.max(0, text.length() - maxChars))).append('\n');
            }
        } catch (IOException e) {
            sb.append("(cannot read executor logs: ").append(e.getMessage()).append(")");
        }
        return sb.toString();
    }

    /** Stops the session (the Workers kill their executors), clears it as active/default, deletes the home. */
    @Override
    public void close() {
        try {
            spark.stop();
        } finally {
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
            deleteTree(sparkHome);
        }
    }

    /** The module flags of this JVM (--add-opens, --add-modules, ...), or the parent pom's list if it has none. */
    static String jvmModuleOptions() {
        List<String> keep = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("--add-modules")
                    || arg.equals("-XX:+IgnoreUnrecognizedVMOptions")
                    || arg.startsWith("-Djdk.reflect.useDirectMethodHandle")
                    || arg.startsWith("-Dio.netty.tryReflectionSetAccessible")) {
                keep.add(arg);
            }
        }
        return keep.stream().anyMatch(a -> a.startsWith("--add-opens")) ? String.join(" ", keep) : DEFAULT_JVM_OPENS;
    }

    /** The test classpath entries that exist (Surefire puts the real classpath in java.class.path). */
    static List<String> testClassPath() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty() && new File(entry).exists()) {
                out.add(new File(entry).getAbsolutePath());
            }
        }
        return out;
    }

    private static Path makeSparkHome(List<String> classPath) throws IOException {
        Path home = Files.createTempDirectory("omnispark-spark-home");
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : classPath) {
            Path p = Path.of(entry);
            Path link = jars.resolve(p.getFileName().toString());
            if (entry.endsWith(".jar") && Files.isRegularFile(p)
                    && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, p);
            }
        }
        return home;
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temp Spark home " + root + ": " + e.getMessage(), e);
        }
    }

    /** Builds and starts a {@link LocalClusterSpark}. */
    public static final class Builder {
        private int workers = 2;
        private int coresPerWorker = 1;
        private int memoryPerWorkerMb = 1024;
        private String appName = "omnispark-local-cluster";
        private String executorJavaOptions = "";
        private final Map<String, String> conf = new LinkedHashMap<>();

        private Builder() {
        }

        /** Number of Workers, one executor JVM each (2). */
        public Builder optWorkers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Cores (task slots) per Worker (1). */
        public Builder optCoresPerWorker(int cores) {
            this.coresPerWorker = cores;
            return this;
        }

        /** Memory per Worker in MiB; each executor gets all of it as -Xmx (1024). */
        public Builder optMemoryPerWorkerMb(int mb) {
            this.memoryPerWorkerMb = mb;
            return this;
        }

        /** Application name (omnispark-local-cluster). */
        public Builder optAppName(String appName) {
            this.appName = appName;
            return this;
        }

        /**
         * JVM options for the executors besides the module flags, e.g. {@code -XX:TieredStopAtLevel=1
         * -XX:+UseSerialGC} to spend less CPU on the JIT in short-lived test executors ("").
         */
        public Builder optExecutorJavaOptions(String options) {
            this.executorJavaOptions = options;
            return this;
        }

        /** An extra Spark setting (applied last, so it can override the defaults set here). */
        public Builder optConf(String key, String value) {
            conf.put(key, value);
            return this;
        }

        /** Makes the temp Spark home and starts the session; waits until every executor has registered. */
        public LocalClusterSpark build() {
            if (workers < 1 || coresPerWorker < 1 || memoryPerWorkerMb < 512) {
                throw new IllegalArgumentException("local-cluster needs >= 1 worker, >= 1 core, >= 512 MiB; got "
                        + workers + ", " + coresPerWorker + ", " + memoryPerWorkerMb);
            }
            List<String> classPath = testClassPath();
            Path home;
            try {
                home = makeSparkHome(classPath);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a temp Spark home: " + e.getMessage(), e);
            }
            String oldTesting = System.getProperty("spark.testing");
            String oldTestHome = System.getProperty("spark.test.home");
            SparkSession spark = null;
            try {
                System.setProperty("spark.testing", "1");
                System.setProperty("spark.test.home", home.toString());
                SparkSession.Builder b = SparkSession.builder()
                        .master("local-cluster[" + workers + "," + coresPerWorker + "," + memoryPerWorkerMb + "]")
                        .appName(appName)
                        .config("spark.driver.host", "127.0.0.1")
                        .config("spark.driver.bindAddress", "127.0.0.1")
                        .config("spark.ui.enabled", "false")
                        .config("spark.executor.memory", memoryPerWorkerMb + "m")
                        .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                        .config("spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1")
                        .config("spark.executorEnv.SPARK_LOCAL_HOSTNAME", "localhost")
                        .config("spark.executor.extraClassPath", String.join(File.pathSeparator, classPath))
                        .config("spark.executor.extraJavaOptions",
                                (jvmModuleOptions() + " " + executorJavaOptions).trim());
                conf.forEach(b::config);
                spark = b.getOrCreate();
            } catch (RuntimeException e) {
                deleteTree(home);
                throw e;
            } finally {
                restore("spark.testing", oldTesting);
                restore("spark.test.home", oldTestHome);
            }
            if (!spark.sparkContext().master().startsWith("local-cluster[")) {
                deleteTree(home);
                throw new IllegalStateException("another SparkContext (master " + spark.sparkContext().master()
                        + ") is already running in this JVM; stop it before building a LocalClusterSpark");
            }
            LocalClusterSpark cluster = new LocalClusterSpark(spark, home, workers);
            try {
                cluster.awaitExecutors(60_000);
            } catch (RuntimeException e) {
                String logs = cluster.executorLogTails(2000);
                cluster.close();
                throw new IllegalStateException(e.getMessage() + "\n" + logs, e);
            }
            return cluster;
        }

        private static void restore(String key, String old) {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }

    private void awaitExecutors(long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            // the driver counts as one executor in the status tracker
            int registered = spark.sparkContext().statusTracker().getExecutorInfos().length - 1;
            if (registered >= workers) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("only " + registered + " of " + workers + " executors registered in "
                        + timeoutMs + " ms; see the executor logs below (the classpath or --add-opens of the"
                        + " executor command is the usual cause)");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors", e);
            }
        }
    }
}
