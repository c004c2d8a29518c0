package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.launcher.Fixture.APP_JAR;
import static org.omnispark.launcher.Fixture.MAIN;
import static org.omnispark.launcher.Fixture.NATIVES;
import static org.omnispark.launcher.Fixture.OPENS;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The spark-submit commands the launcher builds, written out by hand: what ships (the application jar, only libtorch's
 * natives beside it), a training run's barrier set-up, the merge of the cluster file and the user's options, and
 * what is refused before anything starts.
 */
class SubmitCommandTest extends FixtureTest {

    @Test
    void theModuleOptionsAreTheRootPoms() {
        assertTrue(OPENS.contains("--add-opens=java.base/java.nio=ALL-UNNAMED")
                && OPENS.contains("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED"), OPENS);
        assertEquals("2.7.1", Fixture.BUILD.libtorchVersion());
    }

    @Test
    void trainOnYarnShipsTheApplicationJarWithOnlyTheNativesAndGetsABarrierSetup() {
        SubmitCommand c = f.submit("--master", "yarn", "train", "--ranks", "4", "--data", "d", "--out", "o");
        assertEquals(List.of("--master", "yarn",
                "--conf", "spark.driver.extraJavaOptions=" + OPENS,
                "--conf", "spark.executor.extraJavaOptions=" + OPENS,
                "--conf", "spark.executorEnv.GLIBC_TUNABLES=glibc.malloc.hugetlb=1",
                "--conf", "spark.dynamicAllocation.enabled=false",
                "--conf", "spark.executor.instances=4",
                "--jars", NATIVES,
                "--class", MAIN,
                APP_JAR, "train", "--ranks", "4", "--data", "d", "--out", "o"), c.arguments());
        assertEquals(f.sparkHome + "/bin/spark-submit", c.sparkSubmit());
        assertEquals(Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"), c.environment, "the client-mode driver");
        assertEquals(List.of(), c.notes());
    }

    @Test
    void anApplicationJarInTheImageShipsNothingBesideIt() {
        String inImage = "local:///opt/omnispark/omnispark-spark_2.13.jar";
        SubmitCommand c = f.submit(f.env("OMNISPARK_APP_JAR", inImage), "--master", "yarn", "prepare", "--out", "o");
        assertEquals(List.of("--master", "yarn", "--conf", "spark.driver.extraJavaOptions=" + OPENS,
                "--conf", "spark.executor.extraJavaOptions=" + OPENS, "--class", MAIN, inImage, "prepare", "--out",
                "o"), c.arguments());
        assertTrue(c.notes().size() == 1 && c.notes().get(0).contains("no natives ship beside it")
                && c.notes().get(0).contains("/opt/spark/jars"), c.notes().toString());
    }

    @Test
    void prepareGetsNoTrainingSettingsAndRanksAsOneWordWork() {
        SubmitCommand prepare = f.submit("--master", "yarn", "prepare", "--out", "o");
        assertEquals(List.of("--master", "yarn", "--conf", "spark.driver.extraJavaOptions=" + OPENS,
                "--conf", "spark.executor.extraJavaOptions=" + OPENS, "--jars", NATIVES, "--class", MAIN, APP_JAR,
                "prepare", "--out", "o"), prepare.arguments());
        SubmitCommand joined = f.submit("--master", "yarn", "train", "--ranks=3", "--data", "d");
        assertEquals("3", Fixture.confs(joined).get("spark.executor.instances"));
    }

    @Test
    void standaloneSizesByCoresSoNoExecutorCountIsAdded() {
        SubmitCommand c = f.submit("--master", "spark://127.0.0.1:7077", "train", "--ranks", "2");
        assertEquals(Map.of("spark.driver.extraJavaOptions", OPENS, "spark.executor.extraJavaOptions", OPENS,
                "spark.executorEnv.GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", "spark.dynamicAllocation.enabled",
                "false"), Fixture.confs(c));
        String few = f.clusterFile("few.conf", "spark.master spark://h:7077\nspark.executor.cores 4\n"
                + "spark.cores.max 8\n");
        String why = f.refused("--cluster", few, "train", "--ranks", "3");
        assertTrue(why.contains("train --ranks 3 needs 3 executors") && why.contains("spark.cores.max=8")
                && why.contains("allows 2") && why.contains("raise spark.cores.max to 12"), why);
    }

    @Test
    void cudaShipsNoNativesAndTellsEveryLibtorchJvmTheFlavour() {
        Map<String, String> env = f.env("OMNISPARK_LIBTORCH", "cuda", "OMNISPARK_CLASSPATH_FILE",
                f.cudaClasspath.toString());
        SubmitCommand client = f.submit(env, "--master", "k8s://https://k:6443", "prepare");
        assertEquals(List.of("--master", "k8s://https://k:6443",
                "--conf", "spark.driver.extraJavaOptions=" + OPENS,
                "--conf", "spark.executor.extraJavaOptions=" + OPENS,
                "--conf", "spark.executorEnv.PYTORCH_FLAVOR=cu126",
                "--conf", "spark.executorEnv.PYTORCH_VERSION=2.7.1",
                "--class", MAIN, APP_JAR, "prepare"), client.arguments());
        // client mode: the driver is spark-submit's child on this machine
        assertEquals(Map.of("PYTORCH_FLAVOR", "cu126", "PYTORCH_VERSION", "2.7.1"), client.environment);
        assertTrue(client.dryRun().startsWith("PYTORCH_FLAVOR=cu126 PYTORCH_VERSION=2.7.1 "), client.dryRun());

        Map<String, String> yarn = f.env("OMNISPARK_LIBTORCH", "cu128", "OMNISPARK_CLASSPATH_FILE",
                f.cudaClasspath.toString(), "OMNISPARK_SUBMIT_OPTS", "--deploy-mode cluster");
        Map<String, String> confs = Fixture.confs(f.submit(yarn, "--master", "yarn", "prepare"));
        assertEquals("cu128", confs.get("spark.yarn.appMasterEnv.PYTORCH_FLAVOR"));
        assertEquals("2.7.1", confs.get("spark.yarn.appMasterEnv.PYTORCH_VERSION"));
        assertEquals("cu128", confs.get("spark.executorEnv.PYTORCH_FLAVOR"));
        assertEquals(Map.of(), f.submit(yarn, "--master", "yarn", "prepare").environment);
        Map<String, String> k8s = f.env("OMNISPARK_LIBTORCH", "cuda", "OMNISPARK_CLASSPATH_FILE",
                f.cudaClasspath.toString());
        assertEquals("cu126", Fixture.confs(f.submit(k8s, "--cluster", f.shipped("k8s.conf"), "prepare"))
                .get("spark.kubernetes.driverEnv.PYTORCH_FLAVOR"));
    }

    @Test
    void theLibtorchFlavourAndTheBuildMustAgree() {
        assertTrue(f.refused(f.env("OMNISPARK_LIBTORCH", "rocm"), "--master", "yarn", "prepare")
                .contains("OMNISPARK_LIBTORCH must be cpu or cuda"));
        String mixed = f.refused(f.env("OMNISPARK_LIBTORCH", "cuda"), "--master", "yarn", "prepare");
        assertTrue(mixed.contains("CPU and CUDA natives cannot share a classpath") && mixed.contains(NATIVES), mixed);
        String none = f.refused(f.env("OMNISPARK_CLASSPATH_FILE", f.cudaClasspath.toString()), "--master", "yarn",
                "prepare");
        assertTrue(none.contains("no pytorch-native-cpu jar"), none);
        String cpuButCuda = f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--conf spark.executorEnv.PYTORCH_FLAVOR=cu126"),
                "--master", "yarn", "prepare");
        assertTrue(cpuButCuda.contains("OMNISPARK_LIBTORCH=cpu ships the CPU natives"), cpuButCuda);
        Map<String, String> cuda = f.env("OMNISPARK_LIBTORCH", "cuda", "OMNISPARK_CLASSPATH_FILE",
                f.cudaClasspath.toString(), "OMNISPARK_SUBMIT_OPTS", "--conf spark.executorEnv.PYTORCH_FLAVOR=cu128");
        assertEquals("cu128", Fixture.confs(f.submit(cuda, "--master", "yarn", "prepare"))
                .get("spark.executorEnv.PYTORCH_FLAVOR"), "'cuda' names no flavour: the user's stands");
        cuda.put("OMNISPARK_LIBTORCH", "cu124");
        String pinned = f.refused(cuda, "--master", "yarn", "prepare");
        assertTrue(pinned.contains("OMNISPARK_LIBTORCH=cu124 needs spark.executorEnv.PYTORCH_FLAVOR=cu124")
                && pinned.contains("sets spark.executorEnv.PYTORCH_FLAVOR=cu128"), pinned);
        cuda.put("OMNISPARK_SUBMIT_OPTS", "--conf spark.executorEnv.PYTORCH_VERSION=2.5.1");
        String version = f.refused(cuda, "--master", "yarn", "prepare");
        assertTrue(version.contains("PYTORCH_VERSION=2.7.1") && version.contains("download"), version);
    }

    @Test
    void aClusterFileGivesTheMasterItsPropertiesInOrderAndTheUsersOptionsComeAfter() {
        String conf = f.clusterFile("my.conf", """
                # a comment
                spark.master                 yarn
                spark.executor.instances     6
                spark.executor.memory=8g
                spark.yarn.maxAppAttempts    1
                """);
        SubmitCommand c = f.submit(f.env("OMNISPARK_SUBMIT_OPTS", "--executor-memory 16g --queue gpu"), "--cluster",
                conf, "train", "--ranks", "4", "--data", "d");
        assertEquals(List.of("--master", "yarn",
                "--conf", "spark.driver.extraJavaOptions=" + OPENS,
                "--conf", "spark.executor.extraJavaOptions=" + OPENS,
                "--conf", "spark.executor.instances=6",
                "--conf", "spark.executor.memory=16g",
                "--conf", "spark.yarn.maxAppAttempts=1",
                "--conf", "spark.yarn.queue=gpu",
                "--conf", "spark.executorEnv.GLIBC_TUNABLES=glibc.malloc.hugetlb=1",
                "--conf", "spark.dynamicAllocation.enabled=false",
                "--jars", NATIVES, "--class", MAIN, APP_JAR, "train", "--ranks", "4", "--data", "d"), c.arguments());
        assertEquals(List.of("OMNISPARK_SUBMIT_OPTS (--executor-memory 16g) sets spark.executor.memory=16g over "
                + conf + " line 4 (8g)"), c.notes(), "a user's value over the file's is said, not silent");
        SubmitCommand wins = f.submit("--cluster", conf, "--master", "spark://127.0.0.1:7077", "prepare");
        assertEquals("spark://127.0.0.1:7077", wins.master, "--master wins over the file's spark.master");
    }

    @Test
    void theShippedYarnFileRunsInClusterModeAndTheConfigFilesTravelWithIt() {
        String tiny = Fixture.repo("conf/train/tiny.yaml");
        String model = Fixture.repo("conf/model/tiny_omni.yaml");
        SubmitCommand c = f.submit("--cluster", f.shipped("yarn.conf"), "train", "--ranks", "4", "--data",
                "hdfs:///d", "--out", "hdfs:///o", "--conf", tiny, "--model=" + model, "model.x=1");
        List<String> a = c.arguments();
        assertEquals(List.of("--master", "yarn", "--deploy-mode", "cluster"), a.subList(0, 4));
        assertEquals(tiny + "," + model, a.get(a.indexOf("--files") + 1));
        assertEquals(List.of(APP_JAR, "train", "--ranks", "4", "--data", "hdfs:///d", "--out", "hdfs:///o",
                "--conf", "tiny.yaml", "--model=tiny_omni.yaml", "model.x=1"), a.subList(a.indexOf(APP_JAR),
                a.size()), "the driver finds them in its container's folder under their own names");
        Map<String, String> confs = Fixture.confs(c);
        assertEquals("4", confs.get("spark.executor.instances"), "the file's count, once");
        assertEquals("false", confs.get("spark.dynamicAllocation.enabled"));
        assertEquals("8g", confs.get("spark.executor.memoryOverhead"));
        assertFalse(confs.containsKey("spark.master") || confs.containsKey("spark.submit.deployMode")
                || confs.containsKey("spark.task.cpus"), confs.toString());
        // client mode: the driver runs here and reads the files where they are
        SubmitCommand client = f.submit(f.env("OMNISPARK_SUBMIT_OPTS", "--deploy-mode client"), "--cluster",
                f.shipped("yarn.conf"), "train", "--conf", tiny);
        assertFalse(client.arguments().contains("--files"), client.arguments().toString());
        assertEquals(List.of("train", "--conf", tiny), client.appArgs);
        assertEquals("client", client.deployMode);
        assertTrue(client.notes().get(0).contains("spark.submit.deployMode=client over"), client.notes().toString());
    }

    @Test
    void onlyLocalConfigFilesTravel() {
        String model = Fixture.repo("conf/model/tiny_omni.yaml");
        Map<String, String> env = f.env("OMNISPARK_SUBMIT_OPTS", "--deploy-mode cluster");
        SubmitCommand c = f.submit(env, "--master", "yarn", "eval", "--model", tmp.toString(), "--data", "d");
        assertFalse(c.arguments().contains("--files"), "a model folder is not a config file");
        c = f.submit(env, "--master", "yarn", "train", "--conf", "hdfs:///conf/t.yaml", "--model", "file:" + model);
        assertEquals(List.of("train", "--conf", "hdfs:///conf/t.yaml", "--model", "tiny_omni.yaml"), c.appArgs);
        assertEquals(List.of(model), c.files);
        c = f.submit(env, "--master", "spark://h:7077", "train", "--conf", model);
        assertEquals(List.of("train", "--conf", model), c.appArgs);
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("standalone cluster mode runs the driver on a worker")),
                c.notes().toString());
        String same = f.clusterFile("tiny_omni.yaml", "x: 1\n");
        String clash = f.refused(env, "--master", "yarn", "train", "--conf", same, "--model", model);
        assertTrue(clash.contains("two different files named tiny_omni.yaml") && clash.contains(same)
                && clash.contains(model) && clash.contains("rename one"), clash);
    }

    @Test
    void kubernetesClusterModeNeedsAnUploadFolder() {
        String noUpload = f.clusterFile("k.conf", "spark.master k8s://https://k:6443\nspark.submit.deployMode cluster\n");
        String why = f.refused("--cluster", noUpload, "prepare");
        assertTrue(why.contains("spark.kubernetes.file.upload.path, which is not set") && why.contains(APP_JAR)
                && why.contains(NATIVES), why);
        // everything in the image (application jar and natives), nothing named on the command line: nothing uploads
        SubmitCommand image = f.submit(f.env("OMNISPARK_APP_JAR", "local:///opt/omnispark/app.jar"), "--cluster",
                noUpload, "prepare");
        assertEquals("local:///opt/omnispark/app.jar", image.appResource);
        // ...but a local config file named on the command line must travel
        String conf = f.clusterFile("prepare.yaml", "x: 1\n");
        String withFile = f.refused(f.env("OMNISPARK_APP_JAR", "local:///opt/omnispark/app.jar"), "--cluster",
                noUpload, "prepare", "--conf", conf);
        assertTrue(withFile.contains("prepare.yaml") && !withFile.contains("/opt/omnispark"), withFile);
    }

    @Test
    void onlyPathsAndFileUrisAreUploaded() {
        assertTrue(LocalFiles.onThisMachine("/a/b.jar") && LocalFiles.onThisMachine("b.jar")
                && LocalFiles.onThisMachine("file:///a/b.jar"));
        assertFalse(LocalFiles.onThisMachine("local:///opt/b.jar") || LocalFiles.onThisMachine("s3a://bucket/b.jar")
                || LocalFiles.onThisMachine("hdfs://nn:8020/b.jar") || LocalFiles.onThisMachine("https://h/b.jar"));
    }

    @Test
    void whatWouldFailOnTheClusterFailsHereWithTheWayOut() {
        String dyn = f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--conf spark.dynamicAllocation.enabled=true"),
                "--master", "spark://127.0.0.1:7077", "train", "--ranks", "2");
        assertTrue(dyn.contains("dynamic allocation") && dyn.contains("remove spark.dynamicAllocation.enabled=true "
                + "from OMNISPARK_SUBMIT_OPTS"), dyn);
        String file = f.clusterFile("dyn.conf", "spark.master yarn\nspark.dynamicAllocation.enabled true\n");
        String dynFile = f.refused("--cluster", file, "train", "--ranks", "2");
        assertTrue(dynFile.contains("set spark.dynamicAllocation.enabled false in " + file), dynFile);
        assertTrue(f.refused("--master", "yarn", "train", "--ranks", "0").contains("positive number, got '0'"));
        assertTrue(f.refused("--master", "yarn", "train", "--ranks", "x").contains("positive number, got 'x'"));
        String few = f.clusterFile("few.conf", "spark.master yarn\nspark.executor.instances 2\n");
        String instances = f.refused("--cluster", few, "train", "--ranks", "4", "--data", "d");
        assertTrue(instances.contains("train --ranks 4 needs 4 executors (one per rank)")
                && instances.contains(few + " line 2 sets spark.executor.instances=2"), instances);
        assertTrue(f.refused("--master", "mesos://h:5050", "prepare").contains("unknown master"));
        String gone = f.refused(f.env("SPARK_HOME", null, "OMNISPARK_APP_JAR", null), "--master", "yarn", "prepare");
        assertTrue(gone.contains("OMNISPARK_APP_JAR is not set"), gone);
    }

    @Test
    void submitOptionsKeepQuotedSpacesAndUserJavaOptionsComeAfterTheModuleOptions() {
        String conf = f.clusterFile("java.conf", "spark.master yarn\nspark.driver.extraJavaOptions -Dfrom=file\n");
        SubmitCommand c = f.submit(f.env("OMNISPARK_SUBMIT_OPTS", "--name 'my job' --conf "
                + "\"spark.executor.extraJavaOptions=-Dx=1 -Dy=2\" --driver-java-options -Dd=3 --packages a:b:1 "
                + "--verbose --supervise"), "--cluster", conf, "prepare", "--help");
        assertEquals(List.of("--verbose", "--master", "yarn", "--name", "my job",
                "--conf", "spark.driver.extraJavaOptions=" + OPENS + " -Dfrom=file -Dd=3",
                "--conf", "spark.executor.extraJavaOptions=" + OPENS + " -Dx=1 -Dy=2",
                "--jars", NATIVES, "--class", MAIN, "--packages", "a:b:1", "--supervise", APP_JAR, "prepare", "--help"),
                c.arguments());
        assertTrue(c.dryRun().contains(" --name 'my job' "), c.dryRun());
        // the file's and the user's extraJavaOptions are both kept, in that order, after the module options
        String both = f.clusterFile("both.conf", "spark.master yarn\nspark.executor.extraJavaOptions -Dfile=1\n");
        SubmitCommand merged = f.submit(f.env("OMNISPARK_SUBMIT_OPTS", "--conf spark.executor.extraJavaOptions=-Duser=2"),
                "--cluster", both, "prepare");
        assertEquals(OPENS + " -Dfile=1 -Duser=2", Fixture.confs(merged).get("spark.executor.extraJavaOptions"));
        assertEquals(List.of(), merged.notes());
        assertTrue(f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--name 'unbalanced"), "--master", "yarn", "prepare")
                .contains("unbalanced quotes"));
        assertTrue(f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--master yarn"), "--master", "yarn", "prepare")
                .contains("give the master with submit/omnispark --master URL"));
        assertTrue(f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--class x.Y"), "--master", "yarn", "prepare")
                .contains("the launcher runs org.omnispark.cli.Main"));
        assertTrue(f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--frobnicate 3"), "--master", "yarn", "prepare")
                .contains("'--frobnicate' is not a spark-submit option"));
        assertTrue(f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "train"), "--master", "yarn", "prepare")
                .contains("OmniSpark's own arguments go after the command"));
        assertTrue(f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--num-executors"), "--master", "yarn", "prepare")
                .contains("--num-executors needs a value"));
        String twice = f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--executor-cores 2 --conf spark.executor.cores=4"),
                "--master", "yarn", "prepare");
        assertTrue(twice.contains("spark.executor.cores is set twice, to '2'") && twice.contains("keep one"), twice);
        assertTrue(f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--conf spark.executor.instances=four"), "--master",
                "yarn", "prepare").contains("spark.executor.instances must be a whole number, got 'four'"));
    }

    @Test
    void theUsersFilesAndJarsAreAddedToTheLaunchersNeverReplaceThem() {
        String conf = f.clusterFile("files.conf", "spark.master yarn\nspark.files /data/a.txt\nspark.jars /lib/x.jar\n");
        SubmitCommand c = f.submit(f.env("OMNISPARK_SUBMIT_OPTS", "--files /data/b.txt,/data/a.txt --jars /lib/y.jar",
                "OMNISPARK_GPUS_PER_EXECUTOR", "1"), "--cluster", conf, "prepare");
        assertEquals(List.of("/lib/x.jar", "/lib/y.jar", NATIVES), c.jars);
        assertEquals(List.of("/data/a.txt", "/data/b.txt", Fixture.repo("submit/gpu-discovery.sh")), c.files);
        assertFalse(Fixture.confs(c).containsKey("spark.files") || Fixture.confs(c).containsKey("spark.jars"),
                "spark-submit would let --files win over spark.files: one list instead");
        String clash = f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--files /mine/gpu-discovery.sh",
                "OMNISPARK_GPUS_PER_EXECUTOR", "1"), "--master", "yarn", "prepare");
        assertTrue(clash.contains("two different files named gpu-discovery.sh") && clash.contains("/mine/gpu-discovery.sh")
                && clash.contains("OMNISPARK_GPUS_PER_EXECUTOR=1 (GPU discovery)"), clash);
    }

    @Test
    void aTaskCpusLineIsNamedAsWastefulForPrepare() {
        String conf = f.clusterFile("old.conf", "spark.master yarn\nspark.executor.cores 4\nspark.task.cpus 4\n");
        SubmitCommand c = f.submit("--cluster", conf, "prepare");
        assertEquals(1, c.notes().size());
        assertTrue(c.notes().get(0).startsWith(conf + " line 3 sets spark.task.cpus=4 for every stage")
                && c.notes().get(0).contains("leaves 3 of every 4 cores idle"), c.notes().get(0));
    }

    @Test
    void theMeshPortRangeIsCheckedBeforeSubmitting() {
        SubmitCommand c = f.submit(f.env("OMNISPARK_SUBMIT_OPTS", "--conf spark.omnispark.mesh.ports=40000-40100"),
                "--master", "yarn", "prepare");
        assertEquals("40000-40100", Fixture.confs(c).get("spark.omnispark.mesh.ports"));
        String bad = f.refused(f.env("OMNISPARK_SUBMIT_OPTS", "--conf spark.omnispark.mesh.ports=40000:40100"),
                "--master", "yarn", "prepare");
        assertTrue(bad.contains("must be a port range FIRST-LAST such as 40000-40100"), bad);
        String backwards = f.clusterFile("p.conf", "spark.master yarn\nspark.omnispark.mesh.ports 40100-40000\n");
        assertTrue(f.refused("--cluster", backwards, "prepare").contains(backwards + " line 2: "));
    }
}
