package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.Utterance;

/**
 * Incremental resume: `omnispark prepare` runs in its own JVM on 48 utterances into 6 shards and is killed with
 * SIGKILL once 3 shards are finished, as a lost driver would be. The same command run again resumes: it makes only
 * the shards that were not finished, and the dataset equals an uninterrupted run's: the same rows in the same shards
 * in the same order with the same features and tokens, and bit-identical CMVN statistics.
 */
class PrepareResumeTest {
    private static final String[] OVERRIDES = {"output.num_shards=6", "filters.min_confidence=0"};

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aKilledRunResumesFromItsFinishedWavesAndGivesTheSameDataset(@TempDir Path tmp) throws Exception {
        String manifest = TestCorpora.corpus(48, 21, 0.0).resolve("manifest.jsonl").toString();
        Path resumed = tmp.resolve("resumed");
        Process child = startPrepare(manifest, resumed, tmp.resolve("child.log"));
        Path done = resumed.resolve("_work/done");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (finished(done) < 3 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(finished(done) >= 3, "the child finished 3 shards before the deadline: "
                + Files.readString(tmp.resolve("child.log")));
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertFalse(Files.exists(resumed.resolve(DatasetManifest.FILE_NAME)), "the killed run published nothing");
        long saved = finished(done);
        assertTrue(saved >= 3 && saved < 6, saved + " shards finished before the kill");

        SparkSession spark = TestCorpora.spark();
        try {
            PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest), OVERRIDES))
                    .setOutput(resumed.toString()).build().run();
            Path reference = tmp.resolve("reference");
            PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest), OVERRIDES))
                    .setOutput(reference.toString()).build().run();

            DatasetManifest a = DatasetManifest.read(reference);
            DatasetManifest b = DatasetManifest.read(resumed);
            assertEquals(6, ((Number) b.accounting().get("shards_planned")).intValue());
            assertEquals(saved, ((Number) b.accounting().get("shards_resumed")).longValue(),
                    "the resumed run kept every finished shard");
            assertEquals(0, ((Number) a.accounting().get("shards_resumed")).intValue());
            assertEquals(a.accounting().get("input_rows"), b.accounting().get("input_rows"));
            assertEquals(a.accounting().get("rejected_by_reason"), b.accounting().get("rejected_by_reason"));
            assertArrayEquals(a.cmvn().sum(), b.cmvn().sum(), 0.0, "CMVN sums, bit for bit");
            assertArrayEquals(a.cmvn().sumSquares(), b.cmvn().sumSquares(), 0.0, "CMVN sums of squares");
            assertEquals(a.cmvn().frameCount(), b.cmvn().frameCount());
            assertEquals(a.totals().rows(), b.totals().rows());
            assertEquals(a.totals().frames(), b.totals().frames());
            assertEquals(a.shards().size(), b.shards().size());
            for (int s = 0; s < a.shards().size(); s++) {
                assertEquals(a.shards().get(s).rows(), b.shards().get(s).rows());
                assertEquals(a.shards().get(s).hours(), b.shards().get(s).hours(), 1e-12);
            }
            Map<String, Utterance> ra = PrepareJobRerunTest.rows(reference);
            Map<String, Utterance> rb = PrepareJobRerunTest.rows(resumed);
            assertEquals(List.copyOf(ra.keySet()), List.copyOf(rb.keySet()), "the same rows in the same shards");
            for (String k : ra.keySet()) {
                assertArrayEquals(ra.get(k).features(), rb.get(k).features(), 0f, k);
                assertArrayEquals(ra.get(k).tokenIds(), rb.get(k).tokenIds(), k);
            }
            assertFalse(Files.exists(resumed.resolve("_work")), "the work folder is removed after the commit");
        } finally {
            spark.stop();
        }
    }

    private static long finished(Path done) throws java.io.IOException {
        if (!Files.isDirectory(done)) {
            return 0;
        }
        try (var files = Files.list(done)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }

    /** `omnispark prepare` in a new JVM with this JVM's classpath and module options. */
    private static Process startPrepare(String manifest, Path out, Path log) throws Exception {
        List<String> args = new ArrayList<>(List.of("prepare", "--master", "local[2]", "--manifest", manifest,
                "--out", out.toString(), "--conf", TestCorpora.repoRoot().resolve("conf/data/prepare.yaml")
                        .toString()));
        args.addAll(List.of(OVERRIDES));
        return TestCorpora.startMain(log, args.toArray(String[]::new));
    }
}
