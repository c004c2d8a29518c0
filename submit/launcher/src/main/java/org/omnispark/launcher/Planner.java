package org.omnispark.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides what {@code submit/omnispark} runs: from the command line ({@link Invocation}), the cluster file, the
 * environment ({@code OMNISPARK_*}) and the build ({@link BuildInfo}), either a local JVM or a spark-submit, with
 * every check done first. Nothing here starts a process; {@link Plan#run()} does.
 *
 * <p>The environment it reads: {@code OMNISPARK_HOME} (the repository, for conf/ and submit/), {@code
 * OMNISPARK_CLASSPATH_FILE} (the build's runtime classpath, one line), {@code OMNISPARK_APP_JAR} (the application
 * jar), {@code OMNISPARK_LIBTORCH}, {@code OMNISPARK_GPUS_PER_EXECUTOR}, {@code OMNISPARK_SUBMIT_OPTS}, {@code
 * OMNISPARK_JAVA_OPTS}, {@code SPARK_HOME}.
 */
final class Planner {

    /** OmniSpark's CLI. */
    static final String MAIN_CLASS = "org.omnispark.cli.Main";
    /** The executor gpu count property. */
    static final String EXECUTOR_GPUS = "spark.executor.resource.gpu.amount";
    /** Spark's own GPU discovery script in its official images. */
    static final String K8S_DISCOVERY = "/opt/spark/examples/src/main/scripts/getGpusResources.sh";

    private final Map<String, String> env;
    private final BuildInfo build;

    /**
     * @param env the environment (System.getenv(), or a test's)
     * @param build what the build wrote into the launcher
     */
    Planner(Map<String, String> env, BuildInfo build) {
        this.env = env;
        this.build = build;
    }

    /**
     * @param inv the command line
     * @return what to run
     * @throws LaunchException for anything that would fail or be silently changed later
     */
    Plan plan(Invocation inv) {
        ClusterFile cluster = inv.cluster() == null ? null : ClusterFile.load(inv.cluster());
        String master = inv.master() != null ? inv.master() : cluster == null ? null : cluster.value("spark.master");
        MasterKind kind = MasterKind.of(master);
        Libtorch libtorch = Libtorch.parse(env.get("OMNISPARK_LIBTORCH"));
        return kind == MasterKind.LOCAL ? local(inv, cluster, master, libtorch)
                : submit(inv, cluster, master, kind, libtorch);
    }

    private Path home() {
        String home = env.get("OMNISPARK_HOME");
        if (home == null || home.isEmpty()) {
            throw new LaunchException("OMNISPARK_HOME is not set: run the launcher through submit/omnispark");
        }
        return Path.of(home);
    }

    private String nonEmpty(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // local: java ... org.omnispark.cli.Main ARGS

    private LocalCommand local(Invocation inv, ClusterFile cluster, String master, Libtorch libtorch) {
        List<String> notes = new ArrayList<>();
        if (nonEmpty("OMNISPARK_SUBMIT_OPTS") != null) {
            notes.add("OMNISPARK_SUBMIT_OPTS is for spark-submit (--master yarn, k8s://..., spark://...); this local run "
                    + "ignores it");
        }
        if (nonEmpty("OMNISPARK_GPUS_PER_EXECUTOR") != null) {
            notes.add("OMNISPARK_GPUS_PER_EXECUTOR is for cluster executors; a local run uses train.device and the "
                    + "GPUs this machine shows");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(build.jvmOpens());
        cmd.add("-Dlog4j2.configurationFile=" + home().resolve(inv.verbose() ? "conf/log4j2-verbose.properties"
                : "conf/log4j2.properties"));
        String javaOpts = nonEmpty("OMNISPARK_JAVA_OPTS");
        cmd.addAll(javaOpts == null ? List.of("-Xmx8g") : ShellWords.split(javaOpts, "OMNISPARK_JAVA_OPTS"));
        if (cluster != null) {
            cluster.entries().forEach((k, e) -> {   // SparkConf reads spark.* system properties
                if (!k.equals("spark.master")) {
                    cmd.add("-D" + k + "=" + e.value());
                }
            });
        }
        cmd.add("-cp");
        List<String> classpath = new ArrayList<>(hadoopConfDirs(notes));
        classpath.add(classpathForLocal());
        cmd.add(String.join(":", classpath));
        cmd.add(MAIN_CLASS);
        cmd.addAll(inv.command());
        Map<String, String> childEnv = new LinkedHashMap<>();
        if (master != null) {
            childEnv.put("OMNISPARK_MASTER", master);
        }
        if (libtorch.cuda()) {
            for (Map.Entry<String, String> e : torchEnv(libtorch).entrySet()) {
                String mine = env.get(e.getKey());
                if (mine == null) {
                    childEnv.put(e.getKey(), e.getValue());
                } else if (!mine.equals(e.getValue()) && (libtorch.pinned() || e.getKey().equals("PYTORCH_VERSION"))) {
                    throw new LaunchException("OMNISPARK_LIBTORCH=" + env.get("OMNISPARK_LIBTORCH") + " needs "
                            + e.getKey() + "=" + e.getValue() + ", but the environment has " + e.getKey() + "=" + mine
                            + ": unset it");
                }
            }
        }
        if (NativeAllocator.applies(inv.command())) {
            NativeAllocator.local(env, childEnv);
        }
        return new LocalCommand(cmd, childEnv, notes);
    }

    /**
     * HADOOP_CONF_DIR and YARN_CONF_DIR, first on a local run's classpath as spark-submit puts them on its own: their
     * core-site.xml names fs.defaultFS (an {@code hdfs:///data} path needs it) and the file systems' settings.
     */
    private List<String> hadoopConfDirs(List<String> notes) {
        List<String> dirs = new ArrayList<>();
        for (String name : List.of("HADOOP_CONF_DIR", "YARN_CONF_DIR")) {
            String dir = nonEmpty(name);
            if (dir != null && !dirs.contains(dir)) {
                dirs.add(dir);
                if (!Files.isDirectory(Path.of(dir))) {
                    notes.add(name + "=" + dir + " is not a folder: the Hadoop settings it should hold (fs.defaultFS, "
                            + "...) are missing from this run");
                }
            }
        }
        return dirs;
    }

    private String classpathForLocal() {
        String file = nonEmpty("OMNISPARK_CLASSPATH_FILE");
        if (file == null || !Files.isRegularFile(Path.of(file))) {
            if (nonEmpty("OMNISPARK_DRY_RUN") != null) {
                return "CLASSPATH";
            }
            throw new LaunchException("no runtime classpath (OMNISPARK_CLASSPATH_FILE=" + file + "): run "
                    + "submit/omnispark setup");
        }
        return String.join(":", readClasspath(Path.of(file)));
    }

    private static List<String> readClasspath(Path file) {
        try {
            List<String> out = new ArrayList<>();
            for (String e : Files.readString(file).trim().split(":")) {
                if (!e.isBlank()) {
                    out.add(e.trim());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the classpath file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The environment DJL needs to load a CUDA libtorch: the flavour, and the version of the bundled JNI bridge. */
    private Map<String, String> torchEnv(Libtorch libtorch) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PYTORCH_FLAVOR", libtorch.flavour());
        m.put("PYTORCH_VERSION", build.libtorchVersion());
        return m;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // spark-submit

    private SubmitCommand submit(Invocation inv, ClusterFile cluster, String master, MasterKind kind,
            Libtorch libtorch) {
        SubmitCommand c = new SubmitCommand();
        c.sparkHome = nonEmpty("SPARK_HOME");
        c.master = master;
        c.mainClass = MAIN_CLASS;
        Settings s = new Settings(c.notes);
        // The Java 17 module options reach driver and executors; the file's and the user's options are appended.
        List<String> driverJava = new ArrayList<>(List.of(build.jvmOpensString()));
        List<String> executorJava = new ArrayList<>(List.of(build.jvmOpensString()));
        if (cluster != null) {
            cluster.entries().forEach((k, e) -> {
                if (!k.equals("spark.master") && !javaOptions(k, e.value(), driverJava, executorJava)) {
                    s.put(k, e.value(), cluster.where(k), Settings.Layer.CLUSTER_FILE);
                }
            });
        }
        SubmitOptions user = SubmitOptions.parse(env.get("OMNISPARK_SUBMIT_OPTS"));
        for (SubmitOptions.Property p : user.properties) {
            if (!javaOptions(p.key(), p.value(), driverJava, executorJava)) {
                s.put(p.key(), p.value(), p.source(), Settings.Layer.USER);
            }
        }
        driverJava.addAll(user.driverJavaOptions);
        c.verbose = user.verbose;
        c.propertiesFile = user.propertiesFile;
        if (c.propertiesFile != null && !Files.isRegularFile(Path.of(c.propertiesFile))) {
            throw new LaunchException(SubmitOptions.SOURCE + ": --properties-file " + c.propertiesFile + " is not a file");
        }
        c.sparkArgs.addAll(user.passed);

        // spark-submit keeps --files over spark.files and --jars over spark.jars: every source goes in one list.
        ShipList files = new ShipList("--files");
        ShipList jars = new ShipList("--jars");
        shipFromProperty(s.remove("spark.files"), files);
        shipFromProperty(s.remove("spark.jars"), jars);
        user.files.forEach(f -> files.add(f, SubmitOptions.SOURCE + " (--files)"));
        user.jars.forEach(j -> jars.add(j, SubmitOptions.SOURCE + " (--jars)"));

        Settings.Setting mode = s.remove("spark.submit.deployMode");
        c.deployMode = mode == null ? null : mode.value();
        if (c.deployMode != null && !c.deployMode.equals("client") && !c.deployMode.equals("cluster")) {
            throw new LaunchException(mode.source() + ": the deploy mode is client or cluster, got '" + c.deployMode
                    + "'");
        }
        boolean clusterMode = "cluster".equals(c.deployMode);
        Settings.Setting name = s.remove("spark.app.name");
        c.appName = name == null ? null : name.value();

        // What ships: the application jar, and beside it only libtorch's natives (none for CUDA).
        c.appResource = nonEmpty("OMNISPARK_APP_JAR");
        if (c.appResource == null) {
            throw new LaunchException("OMNISPARK_APP_JAR is not set: run the launcher through submit/omnispark, which "
                    + "builds the application jar (submit/app)");
        }
        String cpFile = nonEmpty("OMNISPARK_CLASSPATH_FILE");
        if (cpFile == null || !Files.isRegularFile(Path.of(cpFile))) {
            throw new LaunchException("no runtime classpath (OMNISPARK_CLASSPATH_FILE=" + cpFile + "): run "
                    + "submit/omnispark setup");
        }
        List<String> natives = libtorch.natives(readClasspath(Path.of(cpFile)), cpFile);
        if (c.appResource.startsWith("local:")) {
            // The jar is in the executors' image (submit/k8s/Dockerfile), whose Spark classpath holds the natives too.
            if (!natives.isEmpty()) {
                c.notes.add("OMNISPARK_APP_JAR=" + c.appResource + " is in the image: no natives ship beside it, "
                        + "the image must hold them on Spark's classpath (submit/k8s/Dockerfile puts them in "
                        + "/opt/spark/jars)");
            }
        } else {
            for (String n : natives) {
                jars.add(n, "libtorch's CPU natives (OMNISPARK_LIBTORCH=cpu)");
            }
        }
        if (libtorch.cuda()) {
            cudaEnvironment(c, s, kind, clusterMode, libtorch);
        } else {
            Settings.Setting flavour = s.setting("spark.executorEnv.PYTORCH_FLAVOR");
            if (flavour != null && flavour.value().startsWith("cu")) {
                throw new LaunchException("OMNISPARK_LIBTORCH=cpu ships the CPU natives, but " + flavour.source()
                        + " sets spark.executorEnv.PYTORCH_FLAVOR=" + flavour.value() + ": set OMNISPARK_LIBTORCH="
                        + flavour.value() + " for CUDA executors, or remove the property");
            }
        }

        c.conf.put("spark.driver.extraJavaOptions", String.join(" ", driverJava));
        c.conf.put("spark.executor.extraJavaOptions", String.join(" ", executorJava));

        Gpus.apply(s, files, kind, nonEmpty("OMNISPARK_GPUS_PER_EXECUTOR"), home(), c.notes);
        if (NativeAllocator.applies(inv.command())) {
            NativeAllocator.apply(s, kind, clusterMode, env, c.environment);
        }
        Ranks.check(inv.command(), s, kind);
        taskCpusNote(s, c.notes);

        List<String> args = new ArrayList<>(inv.command());
        if (clusterMode && (kind == MasterKind.YARN || kind == MasterKind.KUBERNETES)) {
            args = LocalFiles.shipConfigFiles(args, files);
        } else if (clusterMode && kind == MasterKind.STANDALONE && LocalFiles.hasLocalConfig(args)) {
            c.notes.add("standalone cluster mode runs the driver on a worker, which cannot fetch files from this "
                    + "machine: the config files named on the command line must exist at the same paths there (a "
                    + "shared disk), or use client mode");
        }
        List<String> uploads = new ArrayList<>();
        for (String l : concat(List.of(c.appResource), jars.locations(), files.locations())) {
            if (LocalFiles.onThisMachine(l)) {
                uploads.add(l);
            }
        }
        if (clusterMode && kind == MasterKind.KUBERNETES && !uploads.isEmpty()
                && s.get("spark.kubernetes.file.upload.path") == null) {
            throw new LaunchException("Kubernetes cluster mode uploads what is on this machine (" + uploads + ") "
                    + "through spark.kubernetes.file.upload.path, which is not set: set it to a folder every pod can "
                    + "read (s3a://..., hdfs://...), as conf/cluster/k8s.conf does");
        }
        c.appArgs.addAll(args);
        c.jars.addAll(jars.locations());
        c.files.addAll(files.locations());
        s.all().forEach((k, v) -> c.conf.put(k, v.value()));
        return c;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> out = new ArrayList<>();
        for (List<String> l : lists) {
            out.addAll(l);
        }
        return out;
    }

    /** Collects a driver's or executor's extraJavaOptions (merged, never replaced); false for any other property. */
    private static boolean javaOptions(String key, String value, List<String> driver, List<String> executor) {
        if (key.equals("spark.driver.extraJavaOptions")) {
            driver.add(value);
        } else if (key.equals("spark.executor.extraJavaOptions")) {
            executor.add(value);
        } else {
            return false;
        }
        return true;
    }

    private static void shipFromProperty(Settings.Setting property, ShipList list) {
        if (property != null) {
            SubmitOptions.list(property.value()).forEach(l -> list.add(l, property.source()));
        }
    }

    /** CUDA: DJL on every JVM that loads libtorch must load the chosen flavour of the bundled JNI bridge's version. */
    private void cudaEnvironment(SubmitCommand c, Settings s, MasterKind kind, boolean clusterMode, Libtorch libtorch) {
        String why = "OMNISPARK_LIBTORCH=" + env.get("OMNISPARK_LIBTORCH");
        List<String> prefixes = new ArrayList<>(List.of("spark.executorEnv."));
        if (clusterMode && kind == MasterKind.YARN) {
            prefixes.add("spark.yarn.appMasterEnv.");
        } else if (clusterMode && kind == MasterKind.KUBERNETES) {
            prefixes.add("spark.kubernetes.driverEnv.");
        } else if (clusterMode) {
            c.notes.add("standalone cluster mode: the driver gets its environment from the worker; set PYTORCH_FLAVOR="
                    + libtorch.flavour() + " and PYTORCH_VERSION=" + build.libtorchVersion() + " there");
        }
        for (Map.Entry<String, String> e : torchEnv(libtorch).entrySet()) {
            for (String prefix : prefixes) {
                String key = prefix + e.getKey();
                if (!libtorch.pinned() && e.getKey().equals("PYTORCH_FLAVOR") && s.get(key) != null) {
                    continue; // cuda without a flavour: the user's flavour stands
                }
                s.require(key, e.getValue(), why, e.getKey().equals("PYTORCH_VERSION")
                        ? "DJL's JNI bridge in the application jar is for libtorch " + build.libtorchVersion()
                        + "; another version makes DJL download a different libtorch: remove the property"
                        : "make them agree, or set OMNISPARK_LIBTORCH=cuda to keep your flavour");
            }
            if (!clusterMode && env.get(e.getKey()) == null) {
                c.environment.put(e.getKey(), e.getValue()); // the driver is spark-submit's child, here
            }
        }
    }

    /** spark.task.cpus above 1 makes every task of every stage take that many cores. */
    private static void taskCpusNote(Settings s, List<String> notes) {
        Settings.Setting t = s.setting("spark.task.cpus");
        if (t != null && !t.value().equals("1")) {
            notes.add(t.source() + " sets spark.task.cpus=" + t.value() + " for every stage: prepare runs one thread "
                    + "per task, so it leaves " + (Integer.parseInt(t.value()) - 1) + " of every " + t.value()
                    + " cores idle; training gets its cores from its own resource profile, so this line can go "
                    + "(docs/operations.md, 'Cores and GPUs per stage')");
        }
    }
}
