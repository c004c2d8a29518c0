package org.omnispark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.app.ReactorBuild.repoRoot;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.k8s.KubernetesConf;
import org.apache.spark.deploy.k8s.KubernetesDriverConf;
import org.apache.spark.deploy.k8s.KubernetesDriverSpec;
import org.apache.spark.deploy.k8s.KubernetesExecutorSpec;
import org.apache.spark.deploy.k8s.SparkPod;
import org.apache.spark.deploy.k8s.submit.JavaMainAppResource;
import org.apache.spark.deploy.k8s.submit.KubernetesDriverBuilder;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBuilder;
import org.apache.spark.util.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pods Kubernetes would run for {@code submit/omnispark --cluster conf/cluster/k8s.conf train --ranks 2}, built by
 * spark-kubernetes' own feature steps (the code spark-submit's Kubernetes client and the driver's executor allocator
 * run) from the launcher's real command, with no API server: nothing here talks to a cluster, so what Kubernetes itself
 * does with the pods (scheduling, the device plugin, pulling the image) never ran.
 *
 * <p>The chain: the shim's dry run gives spark-submit's command line; this test does what spark-submit does with it in
 * Kubernetes cluster mode (SparkConf from --conf, --jars and --files; the primary resource and the arguments), builds
 * the driver pod ({@link KubernetesDriverBuilder}, which uploads what is on this machine to
 * spark.kubernetes.file.upload.path, here a local folder), then the executor pod the driver would ask for ({@link
 * KubernetesExecutorBuilder}) from the driver's resulting configuration. It also checks submit/k8s/Dockerfile against
 * the build: the image is never built here (no Docker engine).
 */
class KubernetesPodSpecIT {

    private static final String IMAGE = "registry.test/omnispark:0.1.0";
    private static final String IMAGE_JAR = "local:///opt/omnispark/omnispark-spark_2.13.jar";

    private Path tmp;
    private Path upload;
    private KubernetesClient client;

    @BeforeEach
    void folders() throws IOException {
        tmp = Files.createTempDirectory("omnispark-k8s-it");
        upload = Files.createDirectories(tmp.resolve("upload"));
        // Only parses pod templates (pods().load): the master URL is never contacted.
        client = new KubernetesClientBuilder().withConfig(Config.empty()).build();
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        try (Stream<Path> walk = Files.walk(tmp)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void gpuTrainingFromTheImageGetsGpusTolerationsTheVolumeTheFlavourAndItsPorts() throws Exception {
        Submit s = dryRun(Map.of("OMNISPARK_APP_JAR", IMAGE_JAR, "OMNISPARK_GPUS_PER_EXECUTOR", "1",
                "OMNISPARK_LIBTORCH", "cuda", "OMNISPARK_CLASSPATH_FILE", classpathFile(false).toString(),
                "OMNISPARK_SUBMIT_OPTS", "--conf spark.omnispark.mesh.ports=40000-40100"), trainArgs());
        KubernetesDriverSpec driver = driverSpec(s);
        Container dc = driver.pod().container();
        Pod dp = driver.pod().pod();

        // driver: image, account, the flavour of libtorch, the outputs' volume, the ports executors and the UI use
        assertEquals(IMAGE, dc.getImage());
        assertEquals("spark", dp.getSpec().getServiceAccountName());
        Map<String, String> denv = env(dc);
        assertEquals("cu126", denv.get("PYTORCH_FLAVOR"), denv.toString());
        assertEquals("2.7.1", denv.get("PYTORCH_VERSION"), denv.toString());
        assertEquals("glibc.malloc.hugetlb=1", denv.get("GLIBC_TUNABLES"), "libtorch's large tensors on huge pages");
        assertOutputsVolume(dp, dc);
        // (Spark 4 adds Spark Connect's port to every driver)
        assertEquals(Map.of("driver-rpc-port", 7078, "blockmanager", 7079, "spark-ui", 4040, "spark-connect", 15002),
                ports(dc));
        Service svc = only(driver.getDriverKubernetesResourcesAsJavaList(), Service.class);
        assertEquals(List.of(4040, 7078, 7079, 15002), svc.getSpec().getPorts().stream().map(ServicePort::getPort)
                .sorted().toList());
        // the driver runs OmniSpark's Main from the image's jar with the command's arguments, config files by name
        List<String> args = dc.getArgs();
        assertEquals(List.of("driver", "--properties-file", "/opt/spark/conf/spark.properties", "--class",
                "org.omnispark.cli.Main", IMAGE_JAR), args.subList(0, 6), args.toString());
        assertEquals(List.of("train", "--ranks", "2", "--data", "file:///mnt/omnispark/shards", "--out",
                "file:///mnt/omnispark/run", "--conf", "tiny.yaml", "--model", "tiny_omni.yaml"),
                args.subList(6, args.size()));
        // only the two config files uploaded (the jar and the natives are in the image), and the driver gets them
        Map<String, String> props = driver.getSystemPropertiesAsJavaMap();
        assertEquals(List.of("tiny.yaml", "tiny_omni.yaml"), uploadedNames());
        assertEquals(2, props.get("spark.files").split(",").length, props.toString());
        for (String f : props.get("spark.files").split(",")) {
            assertTrue(f.startsWith(upload.toUri().toString().replaceAll("/$", "")) && new File(URI.create(f))
                    .isFile(), f + " is not in the upload folder " + upload);
        }
        assertEquals(IMAGE_JAR, props.get("spark.jars"), "the image's jar is the only one: " + props);
        assertEquals("40000-40100", props.get("spark.omnispark.mesh.ports"), "the mesh's ports reach the driver, "
                + "which gives executors their conf: " + props);
        // the GPU pod template travels to the driver in a ConfigMap, for the executors it asks for
        String template = Files.readString(repoRoot().resolve("submit/k8s/executor-gpu-pod.yaml"));
        ConfigMap templates = only(driver.getDriverKubernetesResourcesAsJavaList(), ConfigMap.class);
        assertTrue(templates.getData().containsValue(template), templates.getData().keySet().toString());

        // executor: the image, one nvidia.com GPU, the GPU nodes' toleration, cores and memory of k8s.conf
        SparkPod exec = executorPod(s, driver);
        Container ec = exec.container();
        assertEquals(IMAGE, ec.getImage());
        Map<String, Quantity> limits = ec.getResources().getLimits();
        assertEquals(new Quantity("1"), limits.get("nvidia.com/gpu"), limits.toString());
        assertEquals(new Quantity("16384Mi"), limits.get("memory"), "8g heap + 8g overhead: " + limits);
        assertEquals(new Quantity("4"), ec.getResources().getRequests().get("cpu"));
        List<Toleration> tol = exec.pod().getSpec().getTolerations();
        assertTrue(tol.stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()) && "Exists".equals(t.getOperator())
                && "NoSchedule".equals(t.getEffect())), "no GPU toleration from the pod template: " + tol);
        Map<String, String> eenv = env(ec);
        assertEquals("cu126", eenv.get("PYTORCH_FLAVOR"), eenv.toString());
        assertEquals("2.7.1", eenv.get("PYTORCH_VERSION"), eenv.toString());
        assertEquals("PCI_BUS_ID", eenv.get("CUDA_DEVICE_ORDER"), eenv.toString());
        assertEquals("glibc.malloc.hugetlb=1", eenv.get("GLIBC_TUNABLES"), eenv.toString());
        assertTrue(eenv.get("SPARK_DRIVER_URL").contains(":7078"), eenv.toString());
        assertOutputsVolume(exec.pod(), ec);
        assertEquals(Map.of("blockmanager", 7079), ports(ec));
    }

    @Test
    void cpuRunsUploadTheApplicationJarAndOnlyTheNativesBesideIt() throws Exception {
        Path appJar = ReactorBuild.appJar();
        Submit s = dryRun(Map.of("OMNISPARK_APP_JAR", appJar.toString(), "OMNISPARK_CLASSPATH_FILE",
                classpathFile(true).toString()), trainArgs());
        KubernetesDriverSpec driver = driverSpec(s);
        List<String> uploaded = uploadedNames();
        String natives = uploaded.stream().filter(n -> n.startsWith("pytorch-native-cpu-")).findFirst().orElse("");
        assertEquals(List.of(appJar.getFileName().toString(), natives, "tiny.yaml", "tiny_omni.yaml").stream().sorted()
                .toList(), uploaded, "what spark-submit uploaded");
        Map<String, String> props = driver.getSystemPropertiesAsJavaMap();
        List<String> jars = Arrays.asList(props.get("spark.jars").split(","));
        assertEquals(2, jars.size(), jars.toString());
        assertTrue(jars.stream().allMatch(j -> j.startsWith(upload.toUri().toString().replaceAll("/$", ""))), jars
                .toString());
        // an uploaded primary resource becomes spark-internal: the driver loads it from spark.jars
        assertEquals("spark-internal", driver.pod().container().getArgs().get(5));
        assertTrue(jars.stream().anyMatch(j -> j.endsWith("/" + appJar.getFileName())), jars.toString());

        SparkPod exec = executorPod(s, driver);
        assertFalse(exec.container().getResources().getLimits().containsKey("nvidia.com/gpu"));
        assertTrue(exec.pod().getSpec().getTolerations() == null || exec.pod().getSpec().getTolerations().isEmpty());
        assertFalse(env(exec.container()).containsKey("PYTORCH_FLAVOR"));
    }

    @Test
    void theDockerfileTakesWhatTheBuildMakesFromTheOfficialSparkImage() throws Exception {
        Path root = repoRoot();
        List<String> lines = Files.readAllLines(root.resolve("submit/k8s/Dockerfile"));
        Map<String, String> argDefaults = new LinkedHashMap<>();
        List<String[]> copies = new ArrayList<>();
        String from = null;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("ARG ") && line.contains("=")) {
                String[] kv = line.substring(4).split("=", 2);
                argDefaults.put(kv[0], kv[1]);
            } else if (line.startsWith("FROM ")) {
                from = expand(line.substring(5).strip(), argDefaults);
            } else if (line.startsWith("COPY ")) {
                String[] parts = expand(line.substring(5).strip(), argDefaults).split("\\s+");
                copies.add(parts);
            }
        }
        String spark = System.getProperty("omnispark.spark.version");
        String scala = System.getProperty("omnispark.scala.binary.version");
        assertEquals("apache/spark:" + spark + "-scala" + scala + "-java17-ubuntu", from,
                "the base image is not the official one of this build's Spark and Scala");
        assertEquals(System.getProperty("omnispark.version"), argDefaults.get("OMNISPARK_VERSION"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("PYTORCH_VERSION=" + System.getProperty(
                "omnispark.libtorch.version"))), "the image's PYTORCH_VERSION is not libtorch's");
        assertEquals(2, copies.size(), "COPY lines: " + copies.stream().map(Arrays::toString).toList());
        Path jarSource = root.resolve(copies.get(0)[0]);
        assertEquals(ReactorBuild.appJar(), jarSource.toAbsolutePath().normalize(),
                "the Dockerfile copies another jar than the build's application jar");
        assertEquals(URI.create(IMAGE_JAR).getPath(), copies.get(0)[1], "the image's jar is not where "
                + "conf/cluster/k8s.conf tells OMNISPARK_APP_JAR to find it");
        assertTrue(Files.readString(root.resolve("conf/cluster/k8s.conf")).contains("OMNISPARK_APP_JAR=" + IMAGE_JAR));
        Path natives = root.resolve(copies.get(1)[0]);
        try (Stream<Path> n = Files.list(natives)) {
            assertEquals(List.of("pytorch-native-cpu-" + System.getProperty("omnispark.libtorch.version")
                    + "-linux-x86_64.jar"), n.map(p -> p.getFileName().toString()).sorted().toList(),
                    "target/natives must hold libtorch's CPU natives and nothing else");
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private static String[] trainArgs() {
        Path root = repoRoot();
        return new String[] {"train", "--ranks", "2", "--data", "file:///mnt/omnispark/shards", "--out",
            "file:///mnt/omnispark/run", "--conf", root.resolve("conf/train/tiny.yaml").toString(), "--model",
            root.resolve("conf/model/tiny_omni.yaml").toString()};
    }

    /** spark-submit's command line as the shim's dry run prints it, split into words as bash would. */
    private record Submit(List<String> words) {

        /** @return the values of one option, in order */
        List<String> all(String option) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < mainIndex(); i++) {
                if (words.get(i).equals(option)) {
                    out.add(words.get(i + 1));
                }
            }
            return out;
        }

        String one(String option) {
            List<String> v = all(option);
            return v.isEmpty() ? null : v.get(0);
        }

        private int mainIndex() {
            return words.indexOf("--class");
        }

        String mainClass() {
            return words.get(mainIndex() + 1);
        }

        String primaryResource() {
            return words.get(mainIndex() + 2);
        }

        List<String> appArgs() {
            return words.subList(mainIndex() + 3, words.size());
        }
    }

    /** Runs {@code submit/omnispark --cluster <k8s.conf with its placeholders filled> ARGS} as a dry run. */
    private Submit dryRun(Map<String, String> extraEnv, String... args) throws Exception {
        Path root = repoRoot();
        Path conf = tmp.resolve("k8s.conf");
        Files.writeString(conf, fillPlaceholders(Files.readString(root.resolve("conf/cluster/k8s.conf"))));
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("submit/omnispark").toString(), "--cluster",
                conf.toString()));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("dry-run.out");
        Path err = tmp.resolve("dry-run.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OMNISPARK_") || k.startsWith("SPARK_") || k.equals("HADOOP_CONF_DIR"));
        env.put("OMNISPARK_DRY_RUN", "1");
        env.put("OMNISPARK_LAUNCHER_CP", ReactorBuild.launcherClasspath());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.putAll(extraEnv);
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the dry run did not finish in 2 minutes");
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), "the dry run failed:\n" + stderr);
        String line = Files.readString(out).strip();
        // bash splits the printed command into words exactly as it would run it
        Process split = new ProcessBuilder("bash", "-c", "eval \"set -- $1\"; printf '%s\\0' \"$@\"", "split", line)
                .redirectErrorStream(true).start();
        byte[] words = split.getInputStream().readAllBytes();
        assertTrue(split.waitFor(30, TimeUnit.SECONDS) && split.exitValue() == 0, "bash cannot split " + line);
        List<String> w = new ArrayList<>(Arrays.asList(new String(words, StandardCharsets.UTF_8).split("\0")));
        while (!w.isEmpty() && !w.get(0).endsWith("bin/spark-submit")) {
            w.remove(0); // the environment the dry run sets before the command
        }
        assertFalse(w.isEmpty(), "no spark-submit in the dry run: " + line);
        return new Submit(w.subList(1, w.size()));
    }

    /** conf/cluster/k8s.conf with this test's values where it says CHANGE_ME, and the upload folder. */
    private String fillPlaceholders(String file) {
        StringBuilder out = new StringBuilder();
        for (String line : file.split("\n", -1)) {
            String key = line.strip().split("\\s+", 2)[0];
            String value = switch (key) {
                case "spark.master" -> "k8s://https://127.0.0.1:6443";
                case "spark.kubernetes.container.image" -> IMAGE;
                case "spark.kubernetes.file.upload.path" -> upload.toUri().toString();
                default -> null;
            };
            if (value != null) {
                assertTrue(line.contains("CHANGE_ME"), "k8s.conf's " + key + " has no placeholder: " + line);
                out.append(key).append(' ').append(value).append('\n');
            } else {
                assertFalse(!line.startsWith("#") && line.contains("CHANGE_ME"), "a placeholder this test does "
                        + "not fill: " + line);
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** A runtime classpath file for the launcher: the test classpath, with or without libtorch's CPU natives. */
    private Path classpathFile(boolean withNatives) throws IOException {
        Path f = tmp.resolve(withNatives ? "classpath-cpu" : "classpath-cuda");
        List<String> jars = ReactorBuild.testClasspathJars().stream()
                .filter(j -> withNatives || !j.matches(".*/pytorch-native-[^/]*\\.jar")).toList();
        Files.writeString(f, String.join(File.pathSeparator, jars) + "\n");
        return f;
    }

    /** What spark-submit does with its command line in Kubernetes cluster mode, then the driver pod's build. */
    private KubernetesDriverSpec driverSpec(Submit s) {
        SparkConf conf = new SparkConf(false);
        conf.set("spark.master", s.one("--master"));
        conf.set("spark.submit.deployMode", s.one("--deploy-mode"));
        for (String kv : s.all("--conf")) {
            int eq = kv.indexOf('=');
            conf.set(kv.substring(0, eq), kv.substring(eq + 1));
        }
        // spark-submit adds the primary resource to the jars everywhere but in YARN cluster mode
        List<String> jars = new ArrayList<>();
        if (s.one("--jars") != null) {
            jars.add(Utils.resolveURIs(s.one("--jars")));
        }
        jars.add(Utils.resolveURIs(s.primaryResource()));
        conf.set("spark.jars", String.join(",", jars));
        if (s.one("--files") != null) {
            conf.set("spark.files", Utils.resolveURIs(s.one("--files")));
        }
        conf.setIfMissing("spark.app.name", "omnispark");
        assertEquals("cluster", conf.get("spark.submit.deployMode"));
        KubernetesDriverConf driverConf = KubernetesConf.createDriverConf(conf, KubernetesConf.getKubernetesAppId(),
                JavaMainAppResource.of(s.primaryResource()), s.mainClass(), s.appArgs().toArray(String[]::new),
                scala.Option.empty());
        return new KubernetesDriverBuilder().buildFromFeatures(driverConf, client);
    }

    /**
     * The executor pod the driver asks for: its configuration is the driver's (the submitted one plus the system
     * properties the driver pod starts with), its pod template the local file the driver's ConfigMap carries.
     */
    private SparkPod executorPod(Submit s, KubernetesDriverSpec driver) {
        SparkConf conf = new SparkConf(false);
        for (String kv : s.all("--conf")) {
            int eq = kv.indexOf('=');
            conf.set(kv.substring(0, eq), kv.substring(eq + 1));
        }
        conf.set("spark.master", s.one("--master"));
        conf.setIfMissing("spark.app.name", "omnispark");
        driver.getSystemPropertiesAsJavaMap().forEach(conf::set);
        String template = s.all("--conf").stream().filter(kv -> kv.startsWith(
                "spark.kubernetes.executor.podTemplateFile=")).map(kv -> kv.substring(kv.indexOf('=') + 1))
                .findFirst().orElse(null);
        if (template != null) {
            conf.set("spark.kubernetes.executor.podTemplateFile", template);
        }
        Pod driverPod = new PodBuilder(driver.pod().pod()).editSpec().addToContainers(driver.pod().container())
                .endSpec().build();
        // the default profile is cached per JVM: this conf's, not an earlier test's
        ResourceProfile profile = org.apache.spark.resource.ResourceProfile$.MODULE$.reInitDefaultProfile(conf);
        SecurityManager security = new SecurityManager(conf, scala.Option.empty(),
                org.apache.spark.internal.config.package$.MODULE$.AUTH_SECRET_FILE_EXECUTOR());
        KubernetesExecutorSpec spec = new KubernetesExecutorBuilder().buildFromFeatures(
                KubernetesConf.createExecutorConf(conf, "1", driver.getSystemPropertiesAsJavaMap().getOrDefault(
                        "spark.app.id", KubernetesConf.getKubernetesAppId()), scala.Option.apply(driverPod),
                        org.apache.spark.resource.ResourceProfile$.MODULE$.DEFAULT_RESOURCE_PROFILE_ID()), security, client, profile);
        return spec.pod();
    }

    private List<String> uploadedNames() throws IOException {
        try (Stream<Path> walk = Files.walk(upload)) {
            return walk.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertOutputsVolume(Pod pod, Container c) {
        Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getName().equals("omnispark-data")).findFirst()
                .orElseThrow(() -> new AssertionError("no omnispark-data volume: " + pod.getSpec().getVolumes()));
        assertEquals("omnispark-data", v.getPersistentVolumeClaim().getClaimName());
        VolumeMount m = c.getVolumeMounts().stream().filter(x -> x.getName().equals("omnispark-data")).findFirst()
                .orElseThrow(() -> new AssertionError("omnispark-data is not mounted: " + c.getVolumeMounts()));
        assertEquals("/mnt/omnispark", m.getMountPath());
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> m = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            m.put(e.getName(), e.getValue());
        }
        return m;
    }

    private static Map<String, Integer> ports(Container c) {
        return c.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> resources, Class<T> kind) {
        List<T> of = resources.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertEquals(1, of.size(), "resources of kind " + kind.getSimpleName() + ": " + resources);
        return of.get(0);
    }

    private static String expand(String s, Map<String, String> args) {
        String out = s;
        for (Map.Entry<String, String> e : args.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", e.getValue());
        }
        return out;
    }
}
