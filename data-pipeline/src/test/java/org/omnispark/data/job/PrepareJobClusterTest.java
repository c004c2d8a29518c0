package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;
import org.omnispark.data.reader.Utterance;
import org.omnispark.data.synth.CorpusSummary;
import org.omnispark.data.synth.CorpusSynthesizer;
import org.omnispark.data.synth.SynthToolMissingException;

/**
 * Runs the {@code prepare} job on a real multi-process Spark ({@code local-cluster[2,1,1024]}: two executor JVMs)
 * and checks it against the same job in {@code local[2]} (one process): the executors are other processes, the
 * accounting adds up, the rejects are exactly the rows synth damaged or labelled with low confidence, and the
 * shards hold bitwise-identical features either way.
 */
class PrepareJobClusterTest {
    /** filters.min_confidence of conf/data/prepare.yaml: rows below it are LOW_CONFIDENCE rejects. */
    private static final double MIN_CONFIDENCE = 0.6;

    @TempDir
    Path tmp;

    /** What a run leaves behind, read back without Spark (shards) or before the session closes (rejects). */
    private record RunResult(PrepareReport report, Map<String, Utterance> shards, Map<String, String> rejects) {
    }

    @Test
    void clusterRunMatchesLocalRunAndTruth() throws Exception {
        org.omnispark.data.tools.RequiredTools.check(toolRuns("espeak-ng") && toolRuns("sox"),
                "espeak-ng and sox are needed to synthesize the corpus (apt-get install espeak-ng sox)");
        long t0 = System.nanoTime();
        Path corpus = tmp.resolve("corpus");
        CorpusSummary synth;
        try {
            synth = CorpusSynthesizer.builder()
                    .setOutputDir(corpus)
                    .setUtterances(24)
                    .optSeed(7)
                    .optDamagedAudioFraction(0.125)
                    .optFormatMix(true)
                    .build()
                    .synthesize();
        } catch (SynthToolMissingException e) {
            org.omnispark.data.tools.RequiredTools.check(false, "synth tool missing: " + e.getMessage());
            return;
        }
        PrepareConfig config = ConfigLoader.load(prepareYaml(), List.of("output.num_shards=3"), PrepareConfig.class)
                .withExtraManifests(List.of(synth.manifest().toString()));
        assertEquals(MIN_CONFIDENCE, config.filters().minConfidence(), "prepare.yaml's min_confidence changed");

        phase("synth", t0);
        // Single process first (only one SparkContext per JVM).
        RunResult local;
        SparkSession spark = localSession();
        assertEquals("local[2]", spark.sparkContext().master(), "another SparkContext was left running in this JVM");
        try {
            local = run(spark, config, tmp.resolve("out-local"));
        } finally {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }

        phase("local[2] run", t0);
        RunResult cluster;
        try (LocalClusterSpark lc = LocalClusterSpark.builder()
                .optAppName("prepare-cluster-test")
                .optExecutorJavaOptions("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                .optConf("spark.sql.shuffle.partitions", "2")
                .build()) {
            phase("local-cluster start", t0);
            // (a) Executors are two processes other than this one.
            long driverPid = ProcessHandle.current().pid();
            List<Long> pids = JavaSparkContext.fromSparkContext(lc.spark().sparkContext())
                    .parallelize(List.of(0, 1, 2, 3), 4)
                    .mapPartitions((Iterator<Integer> it) -> List.of(ProcessHandle.current().pid()).iterator())
                    .collect();
            Set<Long> distinct = new TreeSet<>(pids);
            assertEquals(4, pids.size(), "one pid per partition: " + pids);
            assertFalse(distinct.contains(driverPid), "a task ran in the driver " + driverPid + ": " + pids);
            assertEquals(2, distinct.size(), "tasks should run in 2 executor JVMs, pids " + pids);
            try {
                cluster = run(lc.spark(), config, tmp.resolve("out-cluster"));
            } catch (RuntimeException e) {
                throw new AssertionError("cluster run failed; executor logs:\n" + lc.executorLogTails(3000), e);
            }
            phase("local-cluster run", t0);
            System.err.println("PrepareJobClusterTest: executor pid -> cpu s " + executorCpuSeconds(lc.spark()));
        }
        phase("local-cluster stop", t0);

        // (b) Accounting and rejects against the synth's truth.
        Map<String, String> expectedRejects = expectedRejects(synth.truth());
        for (RunResult r : List.of(local, cluster)) {
            PrepareReport rep = r.report();
            assertEquals(24, rep.inputRows(), "input rows: " + rep.summary());
            assertEquals(rep.inputRows(), rep.acceptedRows() + rep.rejectedRows(),
                    "input = accepted + rejected: " + rep.summary());
            assertEquals(expectedRejects.keySet(), r.rejects().keySet(),
                    "rejected keys = truth's damaged rows + confidence < " + MIN_CONFIDENCE + "; rejects "
                            + r.rejects() + ", expected " + expectedRejects);
            assertEquals(expectedRejects, r.rejects(), "reject reasons = truth's expected_reject / LOW_CONFIDENCE");
            assertEquals(rep.acceptedRows(), r.shards().size(), "accepted rows in the shards: " + rep.summary());
            assertEquals(3, rep.shards(), "output.num_shards=3: " + rep.summary());
        }
        // 24 rows x 0.125 = 3 damaged; low-confidence rows come on top (corrupt-label fraction 0.05 by default)
        assertEquals(3, synth.damagedRows(), "damaged rows of the synth: " + synth);
        assertTrue(expectedRejects.size() >= 3, "at least the 3 damaged rows are rejects: " + expectedRejects);
        System.err.println("PrepareJobClusterTest: rejects " + cluster.rejects());
        assertEquals(local.rejects(), cluster.rejects(), "same reject reasons in both modes");
        assertEquals(local.report().rejectedByReason(), cluster.report().rejectedByReason(),
                "same reject counts per reason in both modes");

        // (c) Distributed == single process, bit for bit.
        assertEquals(local.shards().keySet(), cluster.shards().keySet(), "same accepted keys in both modes");
        for (Map.Entry<String, Utterance> e : local.shards().entrySet()) {
            Utterance a = e.getValue();
            Utterance b = cluster.shards().get(e.getKey());
            assertEquals(a.numFrames(), b.numFrames(), "frames of " + e.getKey());
            assertEquals(a.featureDim(), b.featureDim(), "feature dim of " + e.getKey());
            assertEquals(a.text(), b.text(), "text of " + e.getKey());
            assertArrayEquals(a.tokenIds(), b.tokenIds(), "token ids of " + e.getKey());
            for (int i = 0; i < a.features().length; i++) {
                if (Float.floatToRawIntBits(a.features()[i]) != Float.floatToRawIntBits(b.features()[i])) {
                    throw new AssertionError("feature " + i + " (frame " + i / a.featureDim() + ", bin "
                            + i % a.featureDim() + ") of " + e.getKey() + " differs: local " + a.features()[i]
                            + " vs cluster " + b.features()[i]);
                }
            }
        }
    }

    /** Progress on stderr: where the wall time of this (slow by nature) test goes. */
    private static void phase(String name, long t0) {
        double cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1e3).orElse(Double.NaN);
        System.err.printf("PrepareJobClusterTest: %-20s done at %6.1f s wall, test JVM cpu %6.1f s%n", name,
                (System.nanoTime() - t0) / 1e9, cpu);
    }

    /** CPU seconds each executor JVM has used so far (diagnostics only). */
    private static Map<Long, Double> executorCpuSeconds(SparkSession spark) {
        Map<Long, Double> out = new TreeMap<>();
        JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0, 1, 2, 3), 4)
                .mapPartitions((Iterator<Integer> it) -> List.of(new scala.Tuple2<>(ProcessHandle.current().pid(),
                        ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() / 1e3)
                                .orElse(Double.NaN))).iterator())
                .collect().forEach(t -> out.put(t._1(), t._2()));
        return out;
    }

    private static RunResult run(SparkSession spark, PrepareConfig config, Path out) {
        PrepareReport report = PrepareJob.builder()
                .setSpark(spark)
                .setConfig(config)
                .setOutput(out.toString())
                .build()
                .run();
        Map<String, String> rejects = new TreeMap<>();
        for (Row r : spark.read().parquet(out.resolve("rejects").toString()).select("key", "reason")
                .collectAsList()) {
            rejects.put(r.getString(0), r.getString(1));
        }
        Map<String, Utterance> shards = new TreeMap<>();
        for (DatasetManifest.ShardInfo s : DatasetManifest.read(out).shards()) {
            try (ShardReader reader = ShardReader.open(out.resolve(s.path()))) {
                while (reader.hasNext()) {
                    Utterance u = reader.next();
                    assertTrue(shards.put(u.key(), u) == null, "key " + u.key() + " in two shards");
                }
            }
        }
        return new RunResult(report, shards, rejects);
    }

    /** Rows whose audio synth damaged (damage != "none") or whose label confidence is below the filter. */
    private static Map<String, String> expectedRejects(Path truth) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String line : Files.readAllLines(truth)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = ConfigLoader.json().readTree(line);
            String key = row.get("key").asText();
            if (!row.get("damage").asText().equals("none")) {
                out.put(key, row.get("expected_reject").asText());
            } else if (row.get("confidence").asDouble() < MIN_CONFIDENCE) {
                out.put(key, "LOW_CONFIDENCE");
            }
        }
        return out;
    }

    private static SparkSession localSession() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("prepare-local-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    /** conf/data/prepare.yaml, from the module folder (Surefire's working directory) or the repository root. */
    private static Path prepareYaml() {
        Path fromModule = Path.of("..", "conf", "data", "prepare.yaml");
        return Files.isRegularFile(fromModule) ? fromModule : Path.of("conf", "data", "prepare.yaml");
    }

    private static boolean toolRuns(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
