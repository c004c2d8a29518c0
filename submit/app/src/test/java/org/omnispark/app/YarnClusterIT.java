package org.omnispark.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.app.ReactorBuild.launcherClasspath;
import static org.omnispark.app.ReactorBuild.repoRoot;
import static org.omnispark.app.ReactorBuild.testClasspathJars;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.Utterance;
import org.omnispark.data.synth.CorpusSynthesizer;
import org.omnispark.data.tools.RequiredTools;

/**
 * OmniSpark on a real YARN cluster, submitted as a user does: {@code submit/omnispark --master yarn COMMAND ...}, the
 * real launcher, which runs {@code $SPARK_HOME/bin/spark-submit} with the application jar this module built. The
 * cluster ({@link YarnTestCluster}: a MiniYARNCluster and a MiniDFSCluster in this JVM, on loopback) launches the
 * ApplicationMaster and the executors as containers, processes of their own; data, outputs and Spark's staging files
 * are on HDFS.
 *
 * <p>The Spark "distribution" is a temporary SPARK_HOME: {@code jars/} links Spark's jars (spark-sql, spark-yarn and
 * what they bring, as this module's dependency plugin lists them in {@code target/spark.classpath}, the same list
 * ApplicationJarIT runs SparkSubmit on), and {@code bin/spark-submit} asks Spark's launcher library
 * ({@code org.apache.spark.launcher.Main}, what a distribution's {@code bin/spark-class} runs) for the SparkSubmit
 * command line, which puts HADOOP_CONF_DIR on the client's classpath. The containers get the same jars through
 * {@code spark.yarn.jars=local:SPARK_HOME/jars/*} (the NodeManager runs on this machine, so {@code local:} paths are
 * valid on the node; nothing of Spark's is uploaded), and the application jar through HDFS, as spark-submit stages it.
 *
 * <p>Steps, in order, each on the same cluster:
 * <ol>
 *   <li>{@code prepare} in client deploy mode (the driver in the launcher's JVM, executors on YARN): manifest and
 *       espeak-ng speech on HDFS, shards written to HDFS;</li>
 *   <li>the same in cluster deploy mode (the driver in the ApplicationMaster's container); its dataset equals the
 *       client-mode one;</li>
 *   <li>{@code prepare} of a manifest that is not on HDFS, in cluster and in client mode: the launcher exits non-zero
 *       and its output names the missing file (in cluster mode it travels through YARN's diagnostics);</li>
 *   <li>{@code train --ranks 2} in client and in cluster mode on the client-mode dataset, one rank per YARN executor,
 *       configs read from HDFS, model folder and checkpoints written to HDFS; progress lines reach the driver through
 *       Spark; both runs train the same weights;</li>
 *   <li>{@code eval} of each model (client mode: the driver is the launcher's JVM and needs no YARN application;
 *       cluster mode: it runs in the ApplicationMaster's container): reports on HDFS, identical decodes;</li>
 *   <li>{@code export} of each model to HDFS: the same tensors from both.</li>
 * </ol>
 * Every step also checks that nothing landed on local disk (no dataset, shard or "hdfs:" folder in the launcher's
 * working directory, any container's working directory or this test's folders, and nothing at the HDFS paths on the
 * local file system) and that no process of the test listened on a non-loopback address ({@link LoopbackWatch}).
 *
 * <p>Steps build on earlier ones (train on prepare's dataset, eval and export on train's model); a step whose input
 * failed is skipped with a message naming it, and that earlier step has failed the run already. Not here: a
 * comparison with a local (non-YARN) 2-rank run, and a rank that fails inside the barrier stage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnClusterIT {
    private static final Pattern APP_ID = Pattern.compile("application_\\d+_\\d+");
    /** A tiny model and two steps: the point is where things run and land, not what they learn. */
    private static final List<String> TINY_TRAINING = List.of("model.encoder_conf.output_size=32",
            "model.encoder_conf.attention_heads=2", "model.encoder_conf.linear_units=64",
            "model.encoder_conf.num_blocks=2", "model.decoder_conf.attention_heads=2",
            "model.decoder_conf.linear_units=64", "train.batch.max_batch_size=4", "train.max_steps=2",
            "train.checkpoint.interval=2", "train.log_interval=1");
    /** Longest a single submission may take on a busy 2-core machine. */
    private static final long SUBMIT_TIMEOUT_MINUTES = 5;

    private Path tmp;
    /** The clients' output and, after the run, the containers' logs: submit/app/target/omnispark-yarn-it-logs. */
    private Path logs;
    private Path sparkHome;
    private Path launcherCwd;
    private Path driverTmp;
    private Path classpathFile;
    private Path appJar;
    private YarnTestCluster cluster;
    private LoopbackWatch watch;
    /** A root folder unique to this run, on HDFS; the local file system must never get it. */
    private String base;
    private int utterances;
    private final Map<String, Submission> done = new TreeMap<>();

    private record Submission(String name, int exitCode, String output, String applicationId, double seconds) {
        String tail() {
            return output.substring(Math.max(0, output.length() - 8000));
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        RequiredTools.require("bash", "espeak-ng", "sox");
        appJar = ReactorBuild.appJar();
        tmp = Files.createTempDirectory("omnispark-yarn-it");
        logs = Path.of(System.getProperty("omnispark.it.logs", "target/omnispark-yarn-it-logs")).toAbsolutePath();
        deleteTree(logs);
        Files.createDirectories(logs);
        if (LoopbackWatch.supported()) {
            watch = LoopbackWatch.start(300);
        }
        long t0 = System.nanoTime();
        cluster = YarnTestCluster.start("omnispark-yarn-it", tmp.resolve("hadoop-conf"));
        System.out.printf("YARN (ResourceManager %s, NodeManager folders in %s) and HDFS (%s) up in %.1f s%n",
                cluster.resourceManagerAddress(), cluster.workDir(), cluster.hdfsUri(), (System.nanoTime() - t0) / 1e9);
        sparkHome = sparkHome(tmp.resolve("spark"));
        launcherCwd = Files.createDirectories(tmp.resolve("launcher-cwd"));
        // The client-mode driver's java.io.tmpdir (Spark's scratch, and any temporary file a command leaves) is
        // inside this test's folder, so that the local-disk check sees it.
        driverTmp = Files.createDirectories(tmp.resolve("driver-tmp"));
        classpathFile = tmp.resolve("classpath");
        // The launcher takes libtorch's natives from this runtime classpath (pytorch-native-cpu is a test dependency
        // of this module) and ships them in --jars beside the application jar, for every command, as for a user.
        assertTrue(testClasspathJars().stream().anyMatch(j -> j.matches(".*/pytorch-native-cpu-[^/]*\\.jar")),
                "libtorch's natives are not on the test classpath");
        Files.writeString(classpathFile, String.join(File.pathSeparator, testClasspathJars()) + "\n");

        // Real speech (espeak-ng), copied to HDFS with the manifest; the audio is named relative to the manifest.
        base = "/yarn-it-" + Long.toHexString(System.nanoTime());
        Path corpus = tmp.resolve("corpus");
        utterances = 12;
        CorpusSynthesizer.builder().setOutputDir(corpus).setUtterances(utterances).optSeed(17).optThreads(2).build()
                .synthesize();
        long t1 = System.nanoTime();
        FileSystem fs = cluster.fileSystem();
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(corpus.toUri()),
                new org.apache.hadoop.fs.Path(cluster.hdfsUri() + base + "/in/corpus"));
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(cluster.hdfsUri() + base + "/in/corpus/manifest.jsonl")));
        // The training and model configs are read from HDFS too (a cluster-mode driver cannot see the client's disk).
        for (String conf : List.of("conf/train/tiny.yaml", "conf/model/tiny_omni.yaml")) {
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(repoRoot().resolve(conf).toUri()),
                    new org.apache.hadoop.fs.Path(cluster.hdfsUri() + base + "/" + conf));
        }
        System.out.printf("corpus of %d utterances (espeak-ng) on HDFS in %.1f s%n", utterances,
                (System.nanoTime() - t1) / 1e9);
    }

    @AfterAll
    void stopCluster() throws Exception {
        try {
            if (watch != null) {
                watch.close();
            }
            if (cluster != null) {
                keepContainerLogs();
                Path nodeFolders = cluster.workDir();
                cluster.close();
                // The NodeManager's folders (kept an hour for the checks, with each application's copy of the
                // natives): about 1 GB after a run; the logs that matter are copied above.
                deleteTree(nodeFolders);
            }
        } finally {
            deleteTree(tmp); // the links in spark/jars are removed, not followed
        }
        if (watch != null) {
            System.out.printf("loopback watch: %d samples, %d listening sockets of %s, none beyond loopback: %s%n",
                    watch.samples(), watch.listeningSocketsSeen(), watch.listeningProcessKinds(),
                    watch.violations().isEmpty());
        }
        done.values().forEach(s -> System.out.printf("%-28s %s exit %d in %.1f s%n", s.name(), s.applicationId(),
                s.exitCode(), s.seconds()));
    }

    @Test
    @Order(1)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void prepareInClientMode() throws Exception {
        String out = "hdfs://" + base + "/out/client";
        Submission s = submit("prepare-client", "client", "prepare", "--manifest",
                "hdfs://" + base + "/in/corpus/manifest.jsonl", "--out", out, "output.num_shards=2",
                "filters.min_confidence=0");
        assertEquals(0, s.exitCode(), "prepare in client mode failed:\n" + s.tail());
        // The driver runs in the launcher's JVM: its lines and YARN's reports reach the client directly.
        assertContains(s, "spark: master yarn");
        assertTrue(Pattern.compile("Application report for " + s.applicationId() + " \\(state: (ACCEPTED|RUNNING)\\)")
                .matcher(s.output()).find(), "YARN's application reports on the client:\n" + s.tail());
        assertContains(s, "prepared hdfs://");
        assertContains(s, base + "/out/client");
        long accepted = summaryCount(s.output(), "accepted");
        assertTrue(accepted > 0 && accepted <= utterances, "accepted " + accepted + ":\n" + s.tail());

        assertDatasetOnHdfs(base + "/out/client", 2, accepted);
        assertRanOnYarn(s, FinalApplicationStatus.SUCCEEDED, 3);
        assertNothingLocal(s, base);
        assertLoopbackOnly();
    }

    @Test
    @Order(2)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void prepareInClusterMode() throws Exception {
        String out = "hdfs://" + base + "/out/cluster";
        Submission s = submit("prepare-cluster", "cluster", "prepare", "--manifest",
                "hdfs://" + base + "/in/corpus/manifest.jsonl", "--out", out, "output.num_shards=2",
                "filters.min_confidence=0");
        assertEquals(0, s.exitCode(), "prepare in cluster mode failed:\n" + s.tail());
        // The driver runs in the ApplicationMaster's container: the client shows YARN's view of the application,
        // its states while it runs and its final status.
        assertTrue(Pattern.compile("Application report for " + s.applicationId() + " \\(state: RUNNING\\)")
                .matcher(s.output()).find(), "YARN's RUNNING report on the client:\n" + s.tail());
        assertContains(s, "final status: SUCCEEDED");
        // The command's own output (its summary) is the driver's, in the ApplicationMaster container's stdout.
        Path amLog = cluster.containerLogs(s.applicationId()).get(0);
        String driverOut = Files.readString(amLog.resolve("stdout"));
        assertTrue(driverOut.contains("spark: master yarn") && driverOut.contains("prepared hdfs://")
                && driverOut.contains(base + "/out/cluster"), "the driver's stdout (" + amLog + "):\n" + driverOut);
        long accepted = summaryCount(driverOut, "accepted");

        assertDatasetOnHdfs(base + "/out/cluster", 2, accepted);
        assertRanOnYarn(s, FinalApplicationStatus.SUCCEEDED, 3);
        assertNothingLocal(s, base);
        assertLoopbackOnly();
        if (done.containsKey("prepare-client") && done.get("prepare-client").exitCode() == 0) {
            assertSameDataset(base + "/out/client", base + "/out/cluster");
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aMissingManifestFailsOnTheClientInClusterMode() throws Exception {
        String missing = base + "/in/nowhere/missing-manifest.jsonl";
        Submission s = submit("missing-manifest-cluster", "cluster", "prepare", "--manifest", "hdfs://" + missing,
                "--out", "hdfs://" + base + "/out/failed-cluster", "output.num_shards=2");
        assertNotEquals(0, s.exitCode(), "a prepare of a missing manifest succeeded:\n" + s.tail());
        assertContains(s, "final status: FAILED");
        // The driver's error, through the ApplicationMaster's diagnostics, on the client (the client never read the
        // manifest: only the driver in the ApplicationMaster's container did).
        assertNamesTheMissingFile(s, missing);
        RMApp app = assertRanOnYarn(s, FinalApplicationStatus.FAILED, 1);
        assertEquals(1, app.getAppAttempts().size(), "spark.yarn.maxAppAttempts=1: no second attempt");
        assertTrue(!cluster.fileSystem().exists(new org.apache.hadoop.fs.Path(cluster.hdfsUri() + base
                + "/out/failed-cluster/dataset.json")), "no dataset from a failed prepare");
        assertNothingLocal(s, base);
        assertLoopbackOnly();
    }

    @Test
    @Order(4)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aMissingManifestFailsOnTheClientInClientMode() throws Exception {
        String missing = base + "/in/nowhere/missing-manifest.jsonl";
        Submission s = submit("missing-manifest-client", "client", "prepare", "--manifest", "hdfs://" + missing,
                "--out", "hdfs://" + base + "/out/failed-client", "output.num_shards=2");
        assertNotEquals(0, s.exitCode(), "a prepare of a missing manifest succeeded:\n" + s.tail());
        assertNamesTheMissingFile(s, missing);
        assertNothingLocal(s, base);
        assertLoopbackOnly();
    }

    @Test
    @Order(5)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void trainTwoRanksInClientMode() throws Exception {
        requireDone("prepare-client");
        Submission s = submit("train-client", "client", train("client"));
        assertEquals(0, s.exitCode(), "train --ranks 2 in client mode failed:\n" + s.tail());
        assertContains(s, "expert-parallel training: 2 ranks on yarn");
        // Rank 0's progress records, through an accumulator and the executors' heartbeats, on the client.
        assertTrue(Pattern.compile("(?m)^step 2 \\| loss [0-9.]+").matcher(s.output()).find(),
                "train's progress lines on the client:\n" + s.tail());
        assertContains(s, "trained steps");
        assertModelOnHdfs(base + "/exp/client");
        assertRanOnYarn(s, FinalApplicationStatus.SUCCEEDED, 3);
        assertNothingLocal(s, base);
        assertLoopbackOnly();
    }

    @Test
    @Order(6)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void trainTwoRanksInClusterMode() throws Exception {
        requireDone("prepare-client");
        Submission s = submit("train-cluster", "cluster", train("cluster"));
        assertEquals(0, s.exitCode(), "train --ranks 2 in cluster mode failed:\n" + s.tail());
        assertContains(s, "final status: SUCCEEDED");
        String driverOut = driverStdout(s);
        assertTrue(driverOut.contains("expert-parallel training: 2 ranks on yarn")
                && Pattern.compile("(?m)^step 2 \\| loss [0-9.]+").matcher(driverOut).find()
                && driverOut.contains("trained steps"), "the driver's stdout:\n" + driverOut);
        assertModelOnHdfs(base + "/exp/cluster");
        assertRanOnYarn(s, FinalApplicationStatus.SUCCEEDED, 3);
        assertNothingLocal(s, base);
        assertLoopbackOnly();
    }

    @Test
    @Order(7)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void evalInClientMode() throws Exception {
        requireDone("train-client");
        // eval starts no SparkContext: in client mode it runs in the launcher's JVM, reading and writing HDFS.
        Submission s = submit("eval-client", "client", 1, false, "eval", "--model", "hdfs://" + base + "/exp/client",
                "--data", "hdfs://" + base + "/out/client", "--mode", "ctc_greedy");
        assertEquals(0, s.exitCode(), "eval in client mode failed:\n" + s.tail());
        assertTrue(Pattern.compile("(?m)^ctc_greedy\\s+WER\\s+[0-9.]+%\\s+CER").matcher(s.output()).find(),
                "eval's result on the client:\n" + s.tail());
        assertContains(s, "report: hdfs://");
        assertEvalOnHdfs(base + "/exp/client/eval");
        assertNothingLocal(s, base);
        assertLoopbackOnly();
    }

    @Test
    @Order(8)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void evalInClusterModeDecodesLikeClientMode() throws Exception {
        requireDone("train-cluster");
        Submission s = submit("eval-cluster", "cluster", 1, true, "eval", "--model", "hdfs://" + base + "/exp/cluster",
                "--data", "hdfs://" + base + "/out/client", "--mode", "ctc_greedy");
        assertEquals(0, s.exitCode(), "eval in cluster mode failed:\n" + s.tail());
        assertContains(s, "final status: SUCCEEDED");
        String driverOut = driverStdout(s);
        assertTrue(driverOut.contains("report: hdfs://"), "the driver's stdout:\n" + driverOut);
        assertEvalOnHdfs(base + "/exp/cluster/eval");
        assertRanOnYarn(s, FinalApplicationStatus.SUCCEEDED, 1);
        assertNothingLocal(s, base);
        assertLoopbackOnly();
        if (succeeded("eval-client")) {
            // Same data, same seed, two ranks each: client and cluster deploy mode train and decode identically.
            assertEquals(readHdfs(base + "/exp/client/eval/ctc_greedy/hyp.trn"),
                    readHdfs(base + "/exp/cluster/eval/ctc_greedy/hyp.trn"), "the two models' decodes");
            assertEquals(report(base + "/exp/client/eval").at("/modes/ctc_greedy/characters"),
                    report(base + "/exp/cluster/eval").at("/modes/ctc_greedy/characters"), "the two CER counts");
        }
    }

    @Test
    @Order(9)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void exportInBothModesGivesTheSameTensors() throws Exception {
        requireDone("train-client");
        requireDone("train-cluster");
        Submission client = submit("export-client", "client", 1, false, "export", "--model",
                "hdfs://" + base + "/exp/client", "--out", "hdfs://" + base + "/export/client");
        assertEquals(0, client.exitCode(), "export in client mode failed:\n" + client.tail());
        assertContains(client, "exported ");
        Submission cluster = submit("export-cluster", "cluster", 1, true, "export", "--model",
                "hdfs://" + base + "/exp/cluster", "--out", "hdfs://" + base + "/export/cluster");
        assertEquals(0, cluster.exitCode(), "export in cluster mode failed:\n" + cluster.tail());
        assertContains(cluster, "final status: SUCCEEDED");
        assertRanOnYarn(cluster, FinalApplicationStatus.SUCCEEDED, 1);
        for (String side : List.of("client", "cluster")) {
            assertTrue(hdfsFile(base + "/export/" + side + "/config.json"), "export/" + side + "/config.json");
        }
        Safetensors a = Safetensors.read(readHdfsBytes(base + "/export/client/model.safetensors"));
        Safetensors b = Safetensors.read(readHdfsBytes(base + "/export/cluster/model.safetensors"));
        assertTrue(a.tensors().size() > 10, "tensors: " + a.tensors().keySet());
        assertEquals(a.tensors(), b.tensors(), "the same tensor names, shapes and offsets");
        assertTrue(java.util.Arrays.equals(a.data(), b.data()), "the same weights, bit for bit");
        assertNothingLocal(client, base);
        assertNothingLocal(cluster, base);
        assertLoopbackOnly();
    }

    @Test
    @Order(10)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aFailingRankReachesTheClientInClientMode() throws Exception {
        requireDone("prepare-client");
        String damaged = datasetWithItsLastShardDamaged("broken-client");
        Submission s = submit("failing-rank-client", "client", train("failing-client", "/out/broken-client",
                "train.expert_parallel.max_attempts=1"));
        assertNotEquals(0, s.exitCode(), "train on a damaged shard succeeded:\n" + s.tail());
        // the rank's own exception, through Spark's stage failure, in the driver's error on the client
        assertTrue(s.output().contains("Lost task") && s.output().contains(damaged),
                "the client's output does not carry the rank's error about " + damaged + ":\n" + s.tail());
        assertTrue(Pattern.compile("training (run )?.*failed").matcher(s.output()).find(), s.tail());
        // In client mode YARN's final status is the ExecutorLauncher's, which unregisters as SUCCEEDED when the
        // driver stops its SparkContext, whatever the command's result: the client's exit status is the one to read.
        assertTrue(cluster.containerLogs(s.applicationId()).size() >= 3, "the ranks ran in YARN containers");
        assertNothingLocal(s, base);
    }

    @Test
    @Order(11)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aFailingRankReachesTheClientInClusterMode() throws Exception {
        requireDone("prepare-client");
        String damaged = datasetWithItsLastShardDamaged("broken-cluster");
        Submission s = submit("failing-rank-cluster", "cluster", train("failing-cluster", "/out/broken-cluster",
                "train.expert_parallel.max_attempts=1"));
        assertNotEquals(0, s.exitCode(), "train on a damaged shard succeeded:\n" + s.tail());
        assertContains(s, "final status: FAILED");
        // the client never ran a rank or the driver: the error came through YARN's diagnostics
        assertTrue(s.output().contains(damaged), "the client's output does not name " + damaged + ":\n"
                + s.tail());
        assertRanOnYarn(s, FinalApplicationStatus.FAILED, 3);
        assertNothingLocal(s, base);
    }

    @Test
    @Order(12)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void twoRanksOnYarnTrainWhatTwoLocalRanksTrain() throws Exception {
        requireDone("export-client");
        // the same command with a local master: both ranks in one JVM, the same data and configs on HDFS
        Submission local = run("train-local", "local[2]", null, 0, false, train("local"));
        assertEquals(0, local.exitCode(), "train --ranks 2 on local[2] failed:\n" + local.tail());
        Submission export = run("export-local", "local[1]", null, 0, false, "export", "--model",
                "hdfs://" + base + "/exp/local", "--out", "hdfs://" + base + "/export/local");
        assertEquals(0, export.exitCode(), "export of the local model failed:\n" + export.tail());
        // every logged step's loss: the same weights, batches, dropout masks (RandomDraws) and all-reduce order; the
        // bound allows for libtorch's intra-op threads (1 per rank on both here; a cluster's may differ)
        Map<Long, Double> onYarn = metric(base + "/exp/client/metrics.jsonl", "loss");
        Map<Long, Double> local2 = metric(base + "/exp/local/metrics.jsonl", "loss");
        double lrSum = metric(base + "/exp/client/metrics.jsonl", "lr").values().stream().mapToDouble(d -> d).sum();
        assertEquals(onYarn.keySet(), local2.keySet(), "the same logged steps");
        for (long step : onYarn.keySet()) {
            double a = onYarn.get(step);
            double b = local2.get(step);
            assertTrue(Math.abs(a - b) <= 1e-5 * Math.abs(a), "step " + step + ": loss " + a + " on YARN, " + b
                    + " on local[2]");
        }
        Safetensors yarn = Safetensors.read(readHdfsBytes(base + "/export/client/model.safetensors"));
        Safetensors here = Safetensors.read(readHdfsBytes(base + "/export/local/model.safetensors"));
        assertEquals(yarn.tensors(), here.tensors(), "the same tensor names, shapes and offsets");
        // Adam moves a weight by about lr per step whatever the gradient's size (exactly lr at step 1), so a tiny
        // gradient that rounds to the other sign moves it the other way: the weights agree within a few times the
        // sum of the steps' lr (3x: 2 for the sign, 1.5 for Adam's ratio at step 2), not to rounding.
        double maxAbs = yarn.maxAbsDifference(here);
        System.out.printf("YARN vs local[2], 2 ranks each: losses %s and %s; max |difference| of the exported "
                + "weights %.3g%n", onYarn, local2, maxAbs);
        assertTrue(maxAbs <= 3 * lrSum, "YARN's model differs from the local one by " + maxAbs + ", over 3 x the "
                + "sum of the learning rates " + lrSum);
    }

    /** step -> a field (loss, lr), from a run's metrics.jsonl on HDFS. */
    private Map<Long, Double> metric(String metrics, String field) throws IOException {
        Map<Long, Double> out = new TreeMap<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : readHdfs(metrics).split("\n")) {
            if (!line.isBlank()) {
                com.fasterxml.jackson.databind.JsonNode r = json.readTree(line);
                if (r.has(field)) {
                    out.put(r.get("step").asLong(), r.get(field).asDouble());
                }
            }
        }
        assertTrue(!out.isEmpty(), "no " + field + " in " + metrics);
        return out;
    }

    /**
     * A copy of the client-mode dataset on HDFS whose last shard holds garbage of its length (a damaged block): the
     * driver's checks of the dataset pass (every listed shard exists), the rank that reads it fails.
     *
     * @return the damaged shard's file name
     */
    private String datasetWithItsLastShardDamaged(String name) throws IOException {
        FileSystem fs = cluster.fileSystem();
        org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(cluster.hdfsUri() + base + "/out/client");
        org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(cluster.hdfsUri() + base + "/out/" + name);
        assertTrue(org.apache.hadoop.fs.FileUtil.copy(fs, from, fs, to, false, fs.getConf()), "copy to " + to);
        org.apache.hadoop.fs.FileStatus[] shards = fs.globStatus(new org.apache.hadoop.fs.Path(to, "shards/*.parquet"));
        assertTrue(shards.length >= 2, "shards: " + java.util.Arrays.toString(shards));
        java.util.Arrays.sort(shards);
        org.apache.hadoop.fs.Path last = shards[shards.length - 1].getPath();
        long length = fs.getFileStatus(last).getLen();
        byte[] garbage = new byte[(int) length];
        new java.util.Random(7).nextBytes(garbage);
        try (org.apache.hadoop.fs.FSDataOutputStream out = fs.create(last, true)) {
            out.write(garbage);
        }
        return last.getName();
    }

    private String[] train(String side) {
        return train(side, "/out/client");
    }

    private String[] train(String side, String data, String... overrides) {
        List<String> args = new ArrayList<>(List.of("train", "--ranks", "2", "--data", "hdfs://" + base + data,
                "--out", "hdfs://" + base + "/exp/" + side, "--conf", "hdfs://" + base + "/conf/train/tiny.yaml",
                "--model", "hdfs://" + base + "/conf/model/tiny_omni.yaml"));
        args.addAll(TINY_TRAINING);
        args.addAll(List.of(overrides));
        return args.toArray(String[]::new);
    }

    /** Skips a step whose input an earlier step should have made (that step has failed the run already). */
    private void requireDone(String step) {
        org.junit.jupiter.api.Assumptions.assumeTrue(succeeded(step), "skipped: needs the output of " + step
                + ", which " + (done.containsKey(step) ? "failed" : "did not run"));
    }

    private boolean succeeded(String step) {
        return done.containsKey(step) && done.get(step).exitCode() == 0;
    }

    /** The cluster-mode driver's stdout: the ApplicationMaster container's (container ..._000001). */
    private String driverStdout(Submission s) throws IOException {
        List<Path> containers = cluster.containerLogs(s.applicationId());
        assertTrue(!containers.isEmpty() && containers.get(0).getFileName().toString().endsWith("_000001"),
                "no ApplicationMaster container log for " + s.applicationId() + ": " + containers);
        return Files.readString(containers.get(0).resolve("stdout"));
    }

    /** train's model folder on HDFS: model.json, units.txt, metrics.jsonl, the step-2 checkpoint, TensorBoard. */
    private void assertModelOnHdfs(String dir) throws IOException {
        for (String f : List.of("model.json", "units.txt", "metrics.jsonl", "checkpoints/ckpt-2/checkpoint.json")) {
            assertTrue(hdfsFile(dir + "/" + f), f + " in " + dir + " on HDFS");
        }
        assertTrue(readHdfs(dir + "/metrics.jsonl").lines().count() >= 2, "a metrics record per logged step");
        assertEquals(1, cluster.fileSystem().listStatus(new org.apache.hadoop.fs.Path(cluster.hdfsUri() + dir
                + "/tensorboard")).length, "one TensorBoard event file");
    }

    private void assertEvalOnHdfs(String dir) throws IOException {
        for (String f : List.of("report.json", "ctc_greedy/hyp.trn", "ctc_greedy/ref.trn")) {
            assertTrue(hdfsFile(dir + "/" + f), f + " in " + dir + " on HDFS");
        }
    }

    private com.fasterxml.jackson.databind.JsonNode report(String evalDir) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(readHdfs(evalDir + "/report.json"));
    }

    private boolean hdfsFile(String path) throws IOException {
        return cluster.fileSystem().exists(new org.apache.hadoop.fs.Path(cluster.hdfsUri() + path));
    }

    private byte[] readHdfsBytes(String path) throws IOException {
        try (java.io.InputStream in = cluster.fileSystem().open(new org.apache.hadoop.fs.Path(cluster.hdfsUri()
                + path))) {
            return in.readAllBytes();
        }
    }

    private String readHdfs(String path) throws IOException {
        return new String(readHdfsBytes(path), StandardCharsets.UTF_8);
    }

    /** Copies every container's stdout and stderr to {@link #logs} (the NodeManager's folders go with the cluster). */
    private void keepContainerLogs() throws IOException {
        for (Submission s : done.values()) {
            if (!s.applicationId().startsWith("application_")) {
                continue;
            }
            for (Path container : cluster.containerLogs(s.applicationId())) {
                Path to = Files.createDirectories(logs.resolve(s.name()).resolve(container.getFileName()));
                try (Stream<Path> files = Files.list(container)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /** {@code submit/omnispark --master yarn ARGS} with OMNISPARK_SUBMIT_OPTS for this cluster and deploy mode. */
    private Submission submit(String name, String deployMode, String... args) throws Exception {
        return submit(name, deployMode, 2, true, args);
    }

    /**
     * {@code submit/omnispark --master yarn ARGS}.
     *
     * @param executors how many executors the application asks YARN for (spark-submit takes no fewer than 1)
     * @param yarnApplication whether the client's output must name a YARN application (a client-mode command that
     *        starts no SparkContext, e.g. eval, runs in the launcher's JVM alone)
     */
    private Submission submit(String name, String deployMode, int executors, boolean yarnApplication, String... args)
            throws Exception {
        return run(name, "yarn", deployMode, executors, yarnApplication, args);
    }

    /** {@code submit/omnispark --master MASTER ARGS}: yarn with this cluster's options, or a local master. */
    private Submission run(String name, String master, String deployMode, int executors, boolean yarnApplication,
            String... args) throws Exception {
        Path root = repoRoot();
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("submit/omnispark").toString(), "--master",
                master));
        cmd.addAll(List.of(args));
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(launcherCwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        for (String k : List.of("OMNISPARK_DRY_RUN", "OMNISPARK_MASTER", "OMNISPARK_VERBOSE", "OMNISPARK_LIBTORCH",
                "OMNISPARK_GPUS_PER_EXECUTOR", "SPARK_CONF_DIR", "YARN_CONF_DIR", "SPARK_DIST_CLASSPATH")) {
            env.remove(k);
        }
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("HADOOP_CONF_DIR", cluster.hadoopConfDir().toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_HOSTNAME", "localhost");
        env.put("OMNISPARK_APP_JAR", appJar.toString());
        env.put("OMNISPARK_CLASSPATH_FILE", classpathFile.toString());
        // the launcher built by this reactor: without it the shim runs its own mvn package, which rewrites the jars
        // this JVM has open (the core's, the shaded one) and made later class loading fail
        env.put("OMNISPARK_LAUNCHER_CP", launcherClasspath());
        if (master.equals("yarn")) {
            env.put("OMNISPARK_SUBMIT_OPTS", submitOptions(deployMode, executors));
        } else {
            env.remove("OMNISPARK_SUBMIT_OPTS");
            env.put("OMNISPARK_JAVA_OPTS", "-Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.io.tmpdir="
                    + driverTmp);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        boolean finished = p.waitFor(SUBMIT_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Matcher m = APP_ID.matcher(output);
        Submission s = new Submission(name, finished ? p.exitValue() : -1, output, m.find() ? m.group() : "(none)",
                (System.nanoTime() - t0) / 1e9);
        done.put(name, s);
        assertTrue(finished, name + " did not finish in " + SUBMIT_TIMEOUT_MINUTES + " minutes:\n" + s.tail());
        if (yarnApplication) {
            assertTrue(m.find(0), name + ": no YARN application id in the client's output:\n" + s.tail());
        }
        return s;
    }

    /**
     * Spark options for this cluster: two 1-core executors and small JVMs (a 2-core machine runs the whole cluster),
     * Spark's jars from the node's disk, every Spark process on loopback, one application attempt.
     */
    private String submitOptions(String deployMode, int executors) {
        String javaHome = System.getProperty("java.home");
        // Short-lived JVMs on 2 shared cores: C1 only and the serial collector spend less CPU on themselves.
        String lean = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
        List<String> opts = new ArrayList<>(List.of("--deploy-mode", deployMode, "--num-executors",
                String.valueOf(executors),
                "--executor-cores", "1", "--executor-memory", "768m", "--driver-memory", "768m"));
        for (String[] kv : new String[][] {
            {"spark.yarn.jars", "local:" + sparkHome.resolve("jars") + "/*"},
            {"spark.yarn.am.memory", "512m"},
            {"spark.yarn.maxAppAttempts", "1"},
            {"spark.yarn.report.interval", "1s"},
            // Running tasks' accumulators (prepare's and train's progress) reach the driver with each heartbeat.
            {"spark.executor.heartbeatInterval", "3s"},
            {"spark.ui.enabled", "false"},
            {"spark.yarn.appMasterEnv.JAVA_HOME", javaHome},
            {"spark.executorEnv.JAVA_HOME", javaHome},
            {"spark.yarn.appMasterEnv.SPARK_LOCAL_IP", "127.0.0.1"},
            {"spark.yarn.appMasterEnv.SPARK_LOCAL_HOSTNAME", "localhost"},
            {"spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1"},
            {"spark.executorEnv.SPARK_LOCAL_HOSTNAME", "localhost"},
            {"spark.driver.extraJavaOptions", lean + ("client".equals(deployMode)
                    ? " -Djava.io.tmpdir=" + driverTmp : "")},
            {"spark.executor.extraJavaOptions", lean},
            {"spark.yarn.am.extraJavaOptions", lean},
        }) {
            opts.add("--conf");
            opts.add("'" + kv[0] + "=" + kv[1] + "'");
        }
        return String.join(" ", opts);
    }

    /** A Spark home: jars/ links Spark's jars (target/spark.classpath); bin/spark-submit as a distribution runs it. */
    private static Path sparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Path listFile = Path.of(System.getProperty("omnispark.spark.classpath"));
        int linked = 0;
        boolean yarn = false;
        for (String entry : Files.readString(listFile).trim().split(File.pathSeparator)) {
            if (!entry.endsWith(".jar")) {
                continue;
            }
            Path link = jars.resolve(Path.of(entry).getFileName());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of(entry));
                linked++;
            }
            yarn |= Path.of(entry).getFileName().toString().startsWith("spark-yarn_");
        }
        assertTrue(yarn, "spark-yarn is not among Spark's jars in " + listFile);
        assertTrue(linked > 100, "only " + linked + " of Spark's jars in " + listFile);
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path submit = bin.resolve("spark-submit");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(submit, String.join("\n",
                "#!/usr/bin/env bash",
                "# bin/spark-submit of a Spark distribution, cut down: Spark's launcher library (the class bin/spark-class",
                "# asks) builds the SparkSubmit command line from the arguments, spark.driver.* settings and the",
                "# environment (HADOOP_CONF_DIR on the classpath); this script runs it.",
                "set -euo pipefail",
                "export SPARK_HOME='" + home + "'",
                "export SPARK_SCALA_VERSION=2.13",
                "# The launcher prints its messages, a NUL and a newline, then each word of the command ended by NUL.",
                "words=()",
                "while IFS= read -r -d '' word; do words+=(\"$word\"); done < <('" + java + "' -Xmx128m -cp "
                        + "\"$SPARK_HOME/jars/*\" org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit "
                        + "\"$@\")",
                "[ ${#words[@]} -gt 1 ] || { printf '%s\\n' \"${words[0]:-}\" >&2; "
                        + "echo 'spark-submit: the launcher library printed no command' >&2; exit 1; }",
                "[ -z \"${words[0]}\" ] || printf '%s\\n' \"${words[0]}\" >&2",
                "cmd=(\"${words[@]:1}\")",
                "cmd[0]=${cmd[0]#$'\\n'}",
                "exec \"${cmd[@]}\"", ""));
        assertTrue(submit.toFile().setExecutable(true));
        return home;
    }

    /** The jars of this JVM's classpath (the runtime classpath the launcher reads libtorch's natives from). */
    // ------------------------------------------------------------------------------------------------------------

    private static void assertContains(Submission s, String text) {
        assertTrue(s.output().contains(text), s.name() + ": the client's output lacks '" + text + "':\n" + s.tail());
    }

    /**
     * The client's output has the error about the file, not only its name (prepare also echoes its config, which
     * lists the manifests): Hadoop's "File does not exist: hdfs://HOST:PORT/PATH".
     */
    private static void assertNamesTheMissingFile(Submission s, String path) {
        assertTrue(Pattern.compile("manifest hdfs://[^/\\s]*" + Pattern.quote(path) + " does not exist").matcher(
                s.output()).find(), s.name() + ": the client's output does not say that " + path + " does not exist:\n"
                + s.tail());
    }

    /** A count of prepare's summary ("  accepted        12"). */
    private static long summaryCount(String output, String label) {
        Matcher m = Pattern.compile("(?m)^\\s+" + label + "\\s+(\\d+)\\s*$").matcher(output);
        assertTrue(m.find(), "no '" + label + "' line in prepare's summary:\n" + output);
        return Long.parseLong(m.group(1));
    }

    /** dataset.json, units.txt, report.json and the shards are on HDFS; dataset.json counts {@code rows} rows. */
    private void assertDatasetOnHdfs(String dir, int shards, long rows) throws IOException {
        FileSystem fs = cluster.fileSystem();
        List<String> expected = new ArrayList<>(List.of("dataset.json", "units.txt", "report.json"));
        for (int i = 0; i < shards; i++) {
            expected.add(String.format("shards/shard-%05d-of-%05d.parquet", i, shards));
        }
        for (String f : expected) {
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(cluster.hdfsUri() + dir + "/" + f)), f + " in "
                    + dir + " on HDFS");
        }
        assertTrue(!fs.exists(new org.apache.hadoop.fs.Path(cluster.hdfsUri() + dir + "/_work")),
                "no work folder left after the commit");
        DatasetManifest manifest = DatasetManifest.read(cluster.hdfsUri() + dir, cluster.hdfsConfiguration());
        assertEquals(rows, manifest.totals().rows(), "dataset.json's rows vs prepare's summary");
        assertEquals(shards, manifest.shards().size());
    }

    /** Both datasets hold the same utterances with identical features and token ids. */
    private void assertSameDataset(String a, String b) {
        Map<String, Utterance> first = readAll(a);
        Map<String, Utterance> second = readAll(b);
        assertEquals(first.keySet(), second.keySet(), "the same utterances in " + a + " and " + b);
        for (String k : first.keySet()) {
            assertArrayEquals(first.get(k).features(), second.get(k).features(), 0f, k);
            assertArrayEquals(first.get(k).tokenIds(), second.get(k).tokenIds(), k);
        }
    }

    private Map<String, Utterance> readAll(String dir) {
        Map<String, Utterance> out = new TreeMap<>();
        for (List<Utterance> batch : BucketedBatches.builder().setDataset(cluster.hdfsUri() + dir)
                .optConfiguration(cluster.hdfsConfiguration()).build()) {
            batch.forEach(u -> out.put(u.key(), u));
        }
        return out;
    }

    /**
     * The ResourceManager ran the application to {@code status}, and the NodeManager launched at least
     * {@code containers} containers for it (the ApplicationMaster and the executors).
     */
    private RMApp assertRanOnYarn(Submission s, FinalApplicationStatus status, int containers) throws Exception {
        RMApp app = cluster.application(s.applicationId());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // the RM records the end asynchronously
        while (app.getFinalApplicationStatus() == FinalApplicationStatus.UNDEFINED && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(status, app.getFinalApplicationStatus(), s.name() + ": YARN's final status of "
                + s.applicationId() + " (" + app.getDiagnostics() + ")");
        List<Path> logs = cluster.containerLogs(s.applicationId());
        assertTrue(logs.size() >= containers, s.name() + ": " + logs.size() + " containers, expected at least "
                + containers + ": " + logs);
        return app;
    }

    /**
     * Nothing of the job on the local disk: no dataset.json, shard, or "hdfs:" folder (a URI taken for a local path)
     * under the launcher's working directory, the YARN containers' working and log directories or this test's
     * folders, and nothing at the HDFS base path on the local file system (a URI whose scheme was dropped).
     */
    private void assertNothingLocal(Submission s, String hdfsBase) throws IOException {
        assertTrue(!Files.exists(Path.of(hdfsBase)), s.name() + ": " + hdfsBase + " exists on the local disk");
        List<String> found = new ArrayList<>();
        for (Path root : List.of(launcherCwd, cluster.workDir(), tmp)) {
            for (Path p : LocalFileSearch.find(root, q -> {
                String n = q.getFileName().toString();
                return n.equals("dataset.json") || n.equals("hdfs:") || n.matches("shard-\\d+-of-\\d+\\.parquet")
                        || n.equals("_work") || n.equals("checkpoints") || n.matches("ckpt-\\d+")
                        || n.equals("metrics.jsonl") || n.equals("model.json") || n.equals("hyp.trn")
                        || n.equals("model.safetensors") || n.startsWith("events.out.tfevents");
            })) {
                found.add(p.toString());
            }
        }
        assertEquals(List.of(), found, s.name() + ": outputs on the local disk");
    }

    private void assertLoopbackOnly() {
        if (watch == null) {
            System.out.println("loopback check skipped: no /proc/net/tcp on this system");
            return;
        }
        assertTrue(watch.samples() > 0 && watch.listeningSocketsSeen() > 0, "the loopback watch saw no socket");
        assertEquals(List.of(), watch.violations(), "processes listening beyond loopback");
        for (String kind : List.of("test JVM", "YarnCoarseGrainedExecutorBackend")) {
            assertTrue(watch.listeningProcessKinds().contains(kind), "the loopback watch never saw a " + kind
                    + " listening; it saw " + watch.listeningProcessKinds());
        }
    }
}
