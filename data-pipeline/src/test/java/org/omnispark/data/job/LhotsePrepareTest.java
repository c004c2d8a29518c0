package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.ingest.ParsedLine;

/**
 * The real prepare job on the checked-in Lhotse fixture (data-pipeline/src/test/resources/lhotse, made by its
 * make_lhotse_fixture.py from real speech): a gzipped CutSet and a RecordingSet (plain) + SupervisionSet (gzipped)
 * pair. Every expected value below is worked out by hand from the fixture's description in that script.
 */
class LhotsePrepareTest {
    static final Path FIXTURE = TestCorpora.repoRoot().resolve("data-pipeline/src/test/resources/lhotse");
    static final String CUTS = "file:" + FIXTURE.resolve("fixture_cuts_dev.jsonl.gz");
    static final String SUPS = "file:" + FIXTURE.resolve("fixture_supervisions_dev.jsonl.gz");
    static final String RECS = "file:" + FIXTURE.resolve("fixture_recordings_dev.jsonl");
    static final String AUDIO = "file:" + FIXTURE.resolve("audio") + "/";

    /** Key -> {audio file, offset, length, text, source, 0-based line} of every usable row. */
    static final Map<String, List<Object>> ACCEPTED = Map.of(
            "sup-a", List.of("rec-long.wav", 0.0, 0.5, "the first part", CUTS, 0L),
            "sup-b", List.of("rec-long.wav", 0.7, 0.5, "the second part", CUTS, 0L),
            "sup-c", List.of("rec-long.wav", 0.7, 0.5, "an offset one", CUTS, 1L), // cut at 0.4 + 0.3
            "cut-nosupid", List.of("speech.wav", 0.0, 0.5, "no id here", CUTS, 5L),
            "sup-split", List.of("split-ch1.wav", 0.0, 0.5, "the right channel", CUTS, 6L),
            "pair-a", List.of("speech.wav", 0.0, 0.5, "pair one", SUPS, 0L),
            "pair-b", List.of("rec-long.wav", 0.7, 0.5, "pair two", SUPS, 1L));

    /** Key -> {reason, a phrase of its detail, source, 0-based line} of every reject. */
    static final Map<String, List<Object>> REJECTED = Map.of(
            CUTS + ":3", List.of("MALFORMED_MANIFEST_LINE", "not valid JSON", CUTS, 2L),
            "sup-url", List.of("UNSUPPORTED_AUDIO", "'url' source (https://example.org/a.wav)", CUTS, 3L),
            "cut-empty", List.of("EMPTY_TRANSCRIPT", "has no supervisions", CUTS, 4L),
            "sup-stereo", List.of("UNSUPPORTED_AUDIO", "channels [0, 1] in one file", CUTS, 7L),
            "sup-cmd", List.of("UNSUPPORTED_AUDIO", "'command' source", CUTS, 8L),
            "mix-1", List.of("UNSUPPORTED_AUDIO", "MixedCut", CUTS, 9L),
            "pair-missing", List.of("MISSING_AUDIO", "recording 'rec-gone' is not in " + RECS, SUPS, 2L),
            "pair-bad", List.of("MALFORMED_MANIFEST_LINE", "'start' is not a number", SUPS, 3L),
            RECS + ":2", List.of("MALFORMED_MANIFEST_LINE", "not a JSON object", RECS, 1L));

    /** Rows per manifest file: cuts 2 + 8 single-row lines, supervisions 4 lines, recordings 1 malformed line. */
    static final Map<String, Long> PER_SOURCE = Map.of(CUTS, 11L, SUPS, 4L, RECS, 1L);

    @Test
    void manifestRowsByKey() throws IOException {
        try (SparkSession spark = TestCorpora.spark()) {
            // The pair named by its recordings file, the format given: the same rows as auto from the supervisions.
            PrepareConfig config = TestCorpora.config(List.of(CUTS, RECS), "input.manifest_format=lhotse");
            List<ParsedLine> lines = PrepareJob.builder().setSpark(spark).setConfig(config).setOutput("unused")
                    .build().readManifests().collect();
            assertEquals(16, lines.size());
            Map<String, Long> perSource = new TreeMap<>();
            Map<String, ManifestEntry> ok = new TreeMap<>();
            Map<String, ParsedLine> bad = new TreeMap<>();
            for (ParsedLine p : lines) {
                perSource.merge(p.source(), 1L, Long::sum);
                if (p.isMalformed()) {
                    bad.put(p.keyHint(), p);
                } else {
                    ok.put(p.entry().key(), p.entry());
                }
            }
            assertEquals(new TreeMap<>(PER_SOURCE), perSource);
            assertEquals(new TreeMap<>(ACCEPTED).keySet(), ok.keySet());
            ACCEPTED.forEach((key, want) -> {
                ManifestEntry e = ok.get(key);
                assertEquals(AUDIO + want.get(0), e.audioPath(), key + ": resolved against the manifest's folder");
                assertEquals((double) want.get(1), e.offset(), 0.0, key + " offset");
                assertEquals((double) want.get(2), e.length(), 0.0, key + " length");
                assertEquals(want.get(3), e.text(), key);
                assertEquals(want.get(4), e.source(), key);
                assertEquals(want.get(5), e.line(), key);
                assertEquals("spk1", e.speaker(), key);
                assertEquals("English", e.language(), key);
            });
            assertEquals(new TreeMap<>(REJECTED).keySet(), bad.keySet());
            REJECTED.forEach((key, want) -> {
                ParsedLine p = bad.get(key);
                assertEquals(want.get(0), p.reason().name(), key + ": " + p.error());
                assertTrue(p.error().contains((String) want.get(1)), key + ": " + p.error());
                assertEquals(want.get(2), p.source(), key);
                assertEquals(want.get(3), p.line(), key);
            });
        }
    }

    @Test
    void prepareShardsEverySupervisionOrRejectsIt(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("ds");
        try (SparkSession spark = TestCorpora.spark()) {
            PrepareReport report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(CUTS, SUPS), "output.num_shards=2"))
                    .setOutput(out.toString()).optProgress(new java.io.PrintStream(java.io.OutputStream
                            .nullOutputStream()), 60).build().run();
            assertEquals(16, report.inputRows(), report.summary());
            assertEquals(7, report.acceptedRows(), report.summary());
            assertEquals(9, report.rejectedRows(), report.summary());

            Map<String, Row> shard = new TreeMap<>();
            for (Row r : spark.read().parquet(out.resolve("shards").toString())
                    .select("key", "text", "duration", "features", "speaker", "language", "source", "line")
                    .collectAsList()) {
                shard.put(r.getString(0), r);
            }
            assertEquals(new TreeMap<>(ACCEPTED).keySet(), shard.keySet());
            ACCEPTED.forEach((key, want) -> {
                Row r = shard.get(key);
                assertEquals(want.get(3), r.getString(1), key);
                assertEquals((double) want.get(2), r.getDouble(2), 1e-9, key + ": 0.5 s, 8000 samples at 16 kHz");
                assertEquals("spk1", r.getString(4), key);
                assertEquals("English", r.getString(5), key);
                assertEquals(want.get(4), r.getString(6), key);
                assertEquals(want.get(5), r.getLong(7), key);
            });
            // The same samples give the same features: S is speech.wav, rec-long.wav 0..0.5 s, split-ch1.wav;
            // H (half amplitude) is rec-long.wav 0.7..1.2 s, however the offset is spelled (cut 0.4 + 0.3, or 0.7).
            byte[] speech = (byte[]) shard.get("cut-nosupid").get(3);
            byte[] half = (byte[]) shard.get("sup-b").get(3);
            assertFalse(java.util.Arrays.equals(speech, half), "S and H differ");
            for (String k : List.of("sup-a", "sup-split", "pair-a")) {
                assertArrayEquals(speech, (byte[]) shard.get(k).get(3), k + " is S");
            }
            for (String k : List.of("sup-c", "pair-b")) {
                assertArrayEquals(half, (byte[]) shard.get(k).get(3), k + " is H");
            }

            Map<String, Row> rejects = PreparedOutput.rejects(spark, out);
            PreparedOutput.assertRejects(REJECTED, rejects);

            // Per manifest file, shard rows + rejects = its rows.
            Map<String, Long> perSource = new TreeMap<>();
            shard.values().forEach(r -> perSource.merge(r.getString(6), 1L, Long::sum));
            rejects.values().forEach(r -> perSource.merge(r.getString(3), 1L, Long::sum));
            assertEquals(new TreeMap<>(PER_SOURCE), perSource);
        }
    }
}
