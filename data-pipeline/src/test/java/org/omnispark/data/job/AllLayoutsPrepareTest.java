package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.hdfs.MiniHdfs;

/**
 * Issue 23's acceptance run: ONE prepare job, {@code --manifest-format auto}, over a corpus in every layout users
 * bring, all on a real HDFS (MiniDFSCluster on loopback): a Lhotse CutSet, a Lhotse Shar folder, WeNet tar shards (a
 * data.list), a WebDataset folder, a NeMo tarred set (its folder) and a Hugging Face Parquet folder, with WAV, FLAC,
 * MP3 and Ogg Opus audio among them (and damaged rows and tars in each). Every row ends in exactly one place, and the
 * same place as when each layout is prepared alone (the per-layout tests' expected tables, sources moved to HDFS):
 * shard rows by key, rejects by key and reason, and rows per source file.
 */
class AllLayoutsPrepareTest {
    private static final Path RES = TestCorpora.repoRoot().resolve("data-pipeline/src/test/resources");

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void sixLayoutsInOneJobOnHdfs(@TempDir Path tmp) throws Exception {
        String nemo = "file:" + RES.resolve("tar/nemo/tarred_audio_manifest.json");
        String hf0 = "file:" + RES.resolve("hf/data/train-00000-of-00002.parquet");
        String hf1 = "file:" + RES.resolve("hf/data/train-00001-of-00002.parquet");
        Map<String, String> accepted = new TreeMap<>();
        Map<String, String> rejected = new TreeMap<>();
        Map<String, Long> perSource = new TreeMap<>();
        List<String> sources = List.of(LhotsePrepareTest.CUTS, LhotseSharPrepareTest.C0, LhotseSharPrepareTest.C1,
                LhotseSharPrepareTest.R1, TarPrepareTest.W0, TarPrepareTest.W1, TarPrepareTest.D0, TarPrepareTest.D1);
        expect(LhotsePrepareTest.ACCEPTED, 4, LhotsePrepareTest.REJECTED, 2, sources, accepted, rejected);
        expect(LhotseSharPrepareTest.ACCEPTED, 1, LhotseSharPrepareTest.REJECTED, 2, sources, accepted, rejected);
        expect(TarPrepareTest.ACCEPTED, 1, TarPrepareTest.REJECTED, 2, sources, accepted, rejected);
        for (Map<String, Long> m : List.of(LhotsePrepareTest.PER_SOURCE, LhotseSharPrepareTest.PER_SOURCE,
                TarPrepareTest.PER_SOURCE)) {
            m.forEach((s, n) -> {
                if (sources.contains(s)) {
                    perSource.put(s, n);
                }
            });
        }
        // NeMo (TarPrepareTest.nemoTarredManifestLinesReadTheirMembers) and Hugging Face (HfParquetPrepareTest).
        accepted.put("n-speech.wav", nemo);
        accepted.put("n-mp3.mp3", nemo);
        rejected.put("gone.wav", "MISSING_AUDIO " + nemo);
        rejected.put(nemo + ":4", "MALFORMED_MANIFEST_LINE " + nemo);
        perSource.put(nemo, 4L);
        for (int i = 0; i < 5; i++) {
            accepted.put(HfParquetPrepareTest.CV + i, hf0);
        }
        accepted.put("POD0001_S1", hf1);
        accepted.put("POD0001_S2", hf1);
        rejected.put(HfParquetPrepareTest.CV + "5", "CORRUPT_AUDIO " + hf0);
        rejected.put(HfParquetPrepareTest.CV + "6", "MALFORMED_MANIFEST_LINE " + hf0);
        rejected.put("POD0001_S3", "MISSING_AUDIO " + hf1);
        perSource.put(hf0, 7L);
        perSource.put(hf1, 3L);

        try (MiniHdfs hdfs = MiniHdfs.start()) {
            FileSystem fs = hdfs.fileSystem();
            for (String dir : List.of("lhotse", "lhotse_shar", "tar", "hf")) {
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(RES.resolve(dir).toUri()),
                        hdfs.path("/in/" + dir));
            }
            String in = hdfs.uri() + "/in";
            UnaryOperator<String> moved = s -> s.replace("file:" + RES, in);
            List<String> manifests = List.of(in + "/lhotse/fixture_cuts_dev.jsonl.gz", in + "/lhotse_shar/shar",
                    in + "/tar/wenet/data.list", in + "/tar/webdataset", in + "/tar/nemo", in + "/hf/data");
            Map<String, String> shard = new TreeMap<>();
            Map<String, String> rejects = new TreeMap<>();
            Map<String, Long> counted = new TreeMap<>();
            PrepareReport report;
            try (SparkSession spark = TestCorpora.spark()) {
                report = PrepareJob.builder().setSpark(spark)
                        .setConfig(TestCorpora.config(manifests, "output.num_shards=3", "filters.min_confidence=0"))
                        .setOutput(tmp.resolve("ds").toString()).optProgress(new java.io.PrintStream(java.io
                                .OutputStream.nullOutputStream()), 60).build().run();
                for (Row r : spark.read().parquet(tmp.resolve("ds/shards").toString()).select("key", "source")
                        .collectAsList()) {
                    assertEquals(null, shard.put(r.getString(0), r.getString(1)), "one shard row per key");
                    counted.merge(r.getString(1), 1L, Long::sum);
                }
                for (Row r : spark.read().parquet(tmp.resolve("ds/rejects").toString())
                        .select("key", "reason", "source").collectAsList()) {
                    assertEquals(null, rejects.put(r.getString(0), r.getString(1) + " " + r.getString(2)),
                            "one reject per key");
                    counted.merge(r.getString(2), 1L, Long::sum);
                }
            }
            Map<String, String> wantShard = new TreeMap<>();
            accepted.forEach((k, s) -> wantShard.put(moved.apply(k), moved.apply(s)));
            Map<String, String> wantRejects = new TreeMap<>();
            rejected.forEach((k, s) -> wantRejects.put(moved.apply(k), moved.apply(s)));
            Map<String, Long> wantCounts = new TreeMap<>();
            perSource.forEach((s, n) -> wantCounts.put(moved.apply(s), n));
            // w-speech is both a shard row (W0) and a DUPLICATE_KEY reject (W1): the map keeps the reject.
            wantRejects.put("w-speech", "DUPLICATE_KEY " + moved.apply(TarPrepareTest.W1));
            assertEquals(wantShard, shard);
            assertEquals(wantRejects, rejects);
            assertEquals(wantCounts, counted, "rows per source file");
            long rows = wantCounts.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(rows, report.inputRows(), report.summary());
            assertEquals(wantShard.size(), report.acceptedRows(), report.summary());
            assertEquals(rows - wantShard.size(), report.rejectedRows(), report.summary());
            assertTrue(shard.get("n-mp3.mp3").startsWith("hdfs://") && shard.get(HfParquetPrepareTest.CV + "3")
                    .startsWith("hdfs://"), shard.toString());
        }
    }

    /** Adds the rows of an expected table whose source is among {@code sources}, keyed as the job keys them. */
    private static void expect(Map<String, List<Object>> acc, int accSource, Map<String, List<Object>> rej,
            int rejSource, List<String> sources, Map<String, String> accepted, Map<String, String> rejected) {
        acc.forEach((k, v) -> {
            if (sources.contains((String) v.get(accSource))) {
                accepted.put(k, (String) v.get(accSource));
            }
        });
        rej.forEach((k, v) -> {
            if (sources.contains((String) v.get(rejSource))) {
                rejected.put(k, v.get(0) + " " + v.get(rejSource));
            }
        });
    }
}
