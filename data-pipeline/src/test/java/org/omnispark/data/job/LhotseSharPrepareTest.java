package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;
import org.omnispark.data.reader.Utterance;

/**
 * The real prepare job on the checked-in Lhotse Shar fixture (data-pipeline/src/test/resources/lhotse_shar, made by
 * its make_lhotse_shar_fixture.py by Lhotse's writing rules from the Lhotse fixture's audio): a Shar folder of two
 * shards and a one-shard Shar (FLAC) named by its cuts file, both with --manifest-format auto. Every row ends in
 * exactly one place, checked by key; the features of the Shar rows equal, bit for bit, those of the same speech
 * prepared from the plain Lhotse cuts (LhotsePrepareTest's fixture): a whole recording, a cut from 0.4 s whose
 * supervision counts from the cut, channel 1 of a stereo file, and a FLAC member.
 */
class LhotseSharPrepareTest {
    static final Path FIXTURE = TestCorpora.repoRoot().resolve("data-pipeline/src/test/resources/lhotse_shar");
    static final String SHAR = "file:" + FIXTURE.resolve("shar");
    static final String C0 = SHAR + "/cuts.000000.jsonl.gz";
    static final String C1 = SHAR + "/cuts.000001.jsonl.gz";
    static final String R0 = SHAR + "/recording.000000.tar";
    static final String R1 = SHAR + "/recording.000001.tar";
    static final String F0 = "file:" + FIXTURE.resolve("flac/cuts.000000.jsonl.gz");

    /** Key -> {text, source, 0-based line} of every row that reaches a shard. */
    static final Map<String, List<Object>> ACCEPTED = Map.of(
            "shar-a", List.of("the first part", C0, 0L),
            "shar-b", List.of("the second part", C0, 0L),
            "shar-c", List.of("an offset one", C0, 1L),
            "shar-ch1-sup", List.of("the right channel", C1, 0L),
            "shar-flac-sup", List.of("flac shar", F0, 0L));

    /** Key -> {reason, a phrase of its detail, source, 0-based line} of every reject. */
    static final Map<String, List<Object>> REJECTED = Map.of(
            "shar-gone-sup", List.of("MISSING_AUDIO", "cut 'shar-gone' has no audio member in " + R0, C0, 2L),
            "shar-norec-sup", List.of("MISSING_AUDIO", "cut 'shar-norec' has no recording", C1, 1L),
            "shar-multi-sup", List.of("UNSUPPORTED_AUDIO", "the Lhotse Shar member of cut 'shar-multi' holds "
                    + "channels [0, 1]", C1, 2L),
            "shar-cut-sup", List.of("MISSING_AUDIO", "cut 'shar-cut' has no audio member in " + R1, C1, 3L),
            R1 + "@71168", List.of("MALFORMED_MANIFEST_LINE", "damaged at byte 71168: member 'shar-cut.wav' declares"
                    + " 22094 bytes but only 1000 follow", R1, 6L));

    /** Rows per file: each cuts file's supervisions, the damaged tar's one reject. */
    static final Map<String, Long> PER_SOURCE = Map.of(C0, 4L, C1, 4L, R1, 1L, F0, 1L);

    /** Shar row -> the plain Lhotse cuts row of the same speech (sup-b and shar-ch1-sup are both H). */
    static final Map<String, String> SAME_SPEECH = Map.of("shar-a", "sup-a", "shar-b", "sup-b", "shar-c", "sup-c",
            "shar-ch1-sup", "sup-b", "shar-flac-sup", "cut-nosupid");

    /**
     * The least mean |difference| of log-mel features (FeatureDistance, floor 40 dB) between a Shar row and the plain
     * row of the OTHER speech (S against H, a quarter of the energy; measured 0.58 and 0.71): the comparison can fail.
     */
    static final double MIN_OTHER_DIFF = 0.3;

    @Test
    void everyShardCutIsAShardRowOrAReject(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("shar");
        Path plain = tmp.resolve("plain");
        try (SparkSession spark = TestCorpora.spark()) {
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            PrepareReport report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(SHAR, F0), "output.num_shards=2"))
                    .setOutput(out.toString()).optProgress(quiet, 60).build().run();
            assertEquals(10, report.inputRows(), report.summary());
            assertEquals(5, report.acceptedRows(), report.summary());
            assertEquals(5, report.rejectedRows(), report.summary());

            Map<String, Row> shard = new TreeMap<>();
            for (Row r : spark.read().parquet(out.resolve("shards").toString())
                    .select("key", "text", "source", "line").collectAsList()) {
                shard.put(r.getString(0), r);
            }
            assertEquals(new TreeMap<>(ACCEPTED).keySet(), shard.keySet());
            ACCEPTED.forEach((key, want) -> {
                Row r = shard.get(key);
                assertEquals(want.get(0), r.getString(1), key);
                assertEquals(want.get(1), r.getString(2), key);
                assertEquals(want.get(2), r.getLong(3), key);
            });
            Map<String, Row> rejects = PreparedOutput.rejects(spark, out);
            PreparedOutput.assertRejects(REJECTED, rejects);
            Map<String, Long> perSource = new TreeMap<>();
            shard.values().forEach(r -> perSource.merge(r.getString(2), 1L, Long::sum));
            rejects.values().forEach(r -> perSource.merge(r.getString(3), 1L, Long::sum));
            assertEquals(new TreeMap<>(PER_SOURCE), perSource);

            PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(LhotsePrepareTest.CUTS)))
                    .setOutput(plain.toString()).optProgress(quiet, 60).build().run();
        }
        Map<String, Utterance> shar = utterances(out);
        Map<String, Utterance> ref = utterances(plain);
        SAME_SPEECH.forEach((s, p) -> {
            Utterance a = shar.get(s);
            Utterance b = ref.get(p);
            assertEquals(b.numFrames(), a.numFrames(), s + " has " + p + "'s length");
            // S (sup-a, cut-nosupid) against H (sup-b, sup-c): the same words at a quarter of the energy
            String otherKey = p.equals("sup-a") || p.equals("cut-nosupid") ? "sup-b" : "sup-a";
            double other = FeatureDistance.meanAbsDiff(ref.get(otherKey), a, 0, b.featureDim(), 40);
            // The member is the cut's audio alone, cut at whole samples: the same samples, the same features.
            assertArrayEquals(b.features(), a.features(), s + " has the features of " + p);
            assertTrue(other > MIN_OTHER_DIFF, s + ": another utterance differs by only " + other);
        });
    }

    /**
     * Twelve shards in one folder, each the fixture's first cuts file beside a damaged copy of its recording tar
     * (seed 5: 4 cut at random lengths, 4 with a bit flipped in a member header, 4 with bytes flipped anywhere): the
     * job finishes, every cuts file's 4 rows end in one place each (the same supervision ids in every shard: the
     * later ones are DUPLICATE_KEY), and a tar is at most one damage reject of its own.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
    void damagedRecordingTarsNeverStopTheJobNorLoseARow(@TempDir Path tmp) throws IOException {
        Path shar = FIXTURE.resolve("shar");
        byte[] good = java.nio.file.Files.readAllBytes(shar.resolve("recording.000000.tar"));
        long[] headers = {0, 53760, 54784, 90624}; // member header offsets (Python tarfile: TarInfo.offset)
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("fuzz"));
        java.util.Random rnd = new java.util.Random(5);
        Map<String, Long> perSource = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            byte[] m = good.clone();
            if (i < 4) {
                m = java.util.Arrays.copyOf(good, rnd.nextInt(good.length));
            } else if (i < 8) {
                m[(int) headers[rnd.nextInt(headers.length)] + rnd.nextInt(512)] ^= (byte) (1 << rnd.nextInt(8));
            } else {
                for (int k = 0; k < 20; k++) {
                    m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            String n = String.format("%06d", i);
            java.nio.file.Files.write(dir.resolve("recording." + n + ".tar"), m);
            java.nio.file.Files.copy(shar.resolve("cuts.000000.jsonl.gz"), dir.resolve("cuts." + n + ".jsonl.gz"));
            perSource.put("file:" + dir.resolve("cuts." + n + ".jsonl.gz"), 4L);
        }
        Path out = tmp.resolve("ds");
        try (SparkSession spark = TestCorpora.spark()) {
            PrepareReport report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(dir.toString()), "output.num_shards=2"))
                    .setOutput(out.toString()).optProgress(new PrintStream(OutputStream.nullOutputStream()), 60)
                    .build().run();
            assertEquals(report.inputRows(), report.acceptedRows() + report.rejectedRows(), report.summary());
            Map<String, Long> seen = new TreeMap<>();
            for (Row r : spark.read().parquet(out.resolve("shards").toString()).select("source").collectAsList()) {
                seen.merge(r.getString(0), 1L, Long::sum);
            }
            for (Row r : spark.read().parquet(out.resolve("rejects").toString()).select("key", "source")
                    .collectAsList()) {
                if (r.getString(1).endsWith(".tar")) {
                    assertTrue(r.getString(0).startsWith(r.getString(1) + "@"), "a tar's only reject is its damage: "
                            + r.getString(0));
                    assertEquals(null, seen.put(r.getString(1), 1L), "one damage reject per tar: " + r.getString(1));
                    continue;
                }
                seen.merge(r.getString(1), 1L, Long::sum);
            }
            seen.keySet().removeIf(k -> k.endsWith(".tar"));
            assertEquals(perSource, seen, "every cuts file's rows, each once");
        }
    }

    private static Map<String, Utterance> utterances(Path dataset) throws IOException {
        Map<String, Utterance> rows = new TreeMap<>();
        for (DatasetManifest.ShardInfo s : DatasetManifest.read(dataset).shards()) {
            try (ShardReader r = ShardReader.open(dataset.resolve(s.path()))) {
                while (r.hasNext()) {
                    Utterance u = r.next();
                    rows.put(u.key(), u);
                }
            }
        }
        return rows;
    }
}
