package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.Utterance;

/**
 * An executor of a multi-process cluster (local-cluster: two executor JVMs) is SIGKILLed in the middle of
 * {@code prepare}, with shards done and others running: Spark runs the lost tasks again on the executor the Worker
 * starts in its place, and the dataset must be the one a fault-free run makes (every row in exactly one place, by key;
 * the same rows in the same shards with the same features) while the driver never stopped. The chaos run kills whole
 * {@code prepare} processes (driver included); this kills only an executor.
 */
class PrepareExecutorLossTest {
    private static final String[] OVERRIDES = {"output.num_shards=8", "filters.min_confidence=0"};

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aKilledExecutorsShardsAreMadeAgainOnceAndTheDatasetIsAFaultFreeOne(@TempDir Path tmp) throws Exception {
        Path corpus = TestCorpora.corpus(48, 31, 0.05);
        Path manifest = corpus.resolve("manifest.jsonl");
        Path reference = tmp.resolve("reference");
        SparkSession local = TestCorpora.spark();
        try {
            run(local, manifest, reference);
        } finally {
            local.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }

        Path out = tmp.resolve("out");
        long victim;
        boolean finishedAtKill;
        try (LocalClusterSpark lc = LocalClusterSpark.builder().optAppName("prepare-executor-loss")
                .optExecutorJavaOptions("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                .optConf("spark.sql.shuffle.partitions", "2").build()) {
            CompletableFuture<long[]> killer = CompletableFuture.supplyAsync(() -> killAfterMarkers(out, 2));
            try {
                run(lc.spark(), manifest, out);
            } catch (RuntimeException e) {
                throw new AssertionError("the job failed after an executor was lost; executor logs:\n"
                        + lc.executorLogTails(3000), e);
            }
            long[] kill = killer.get(2, TimeUnit.MINUTES);
            victim = kill[0];
            finishedAtKill = kill[1] != 0;
            SparkSession spark = lc.spark();
            assertTrue(victim > 0, "an executor process was killed");
            assertFalse(finishedAtKill, "the job had finished before the kill: it tested nothing");
            PrepareChaosTest.assertExactlyOnce(spark, manifest, out, "after executor " + victim + " was killed");
        }
        DatasetManifest a = DatasetManifest.read(reference);
        DatasetManifest b = DatasetManifest.read(out);
        assertEquals(a.accounting().get("output_rows"), b.accounting().get("output_rows"));
        assertEquals(a.accounting().get("rejected_by_reason"), b.accounting().get("rejected_by_reason"));
        assertArrayEquals(a.cmvn().sum(), b.cmvn().sum(), 0.0, "CMVN sums, bit for bit");
        Map<String, Utterance> ra = PrepareJobRerunTest.rows(reference);
        Map<String, Utterance> rb = PrepareJobRerunTest.rows(out);
        assertEquals(List.copyOf(ra.keySet()), List.copyOf(rb.keySet()), "the same rows in the same shards");
        for (String k : ra.keySet()) {
            assertArrayEquals(ra.get(k).features(), rb.get(k).features(), 0f, k);
            assertArrayEquals(ra.get(k).tokenIds(), rb.get(k).tokenIds(), k);
        }
    }

    private static void run(SparkSession spark, Path manifest, Path out) {
        PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest.toString()), OVERRIDES))
                .setOutput(out.toString()).build().run();
    }

    /**
     * Waits until {@code markers} shards are done, then SIGKILLs the newest executor (a child JVM of this one: the
     * local-cluster's Workers live here).
     *
     * @return {pid killed, 1 if dataset.json already existed then}
     */
    private static long[] killAfterMarkers(Path out, int markers) {
        Path done = out.resolve(OutputCommitter.WORK).resolve("done");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try {
            while (System.nanoTime() < deadline) {
                if (count(done) >= markers) {
                    boolean finished = Files.exists(out.resolve(DatasetManifest.FILE_NAME));
                    List<ProcessHandle> executors = ProcessHandle.current().descendants()
                            .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")
                                    || p.info().command().orElse("").endsWith("java"))
                            .toList();
                    if (executors.isEmpty()) {
                        throw new IllegalStateException("no executor process among this JVM's children");
                    }
                    ProcessHandle victim = executors.get(executors.size() - 1);
                    victim.destroyForcibly();
                    System.out.println("killed executor process " + victim.pid() + " after " + count(done)
                            + " shards were done");
                    return new long[] {victim.pid(), finished ? 1 : 0};
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new long[] {-1, 0};
    }

    private static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }
}
