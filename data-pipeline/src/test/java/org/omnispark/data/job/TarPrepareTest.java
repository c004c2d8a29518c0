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
import org.omnispark.data.ingest.ParsedLine;

/**
 * The real prepare job on the checked-in tar fixture (data-pipeline/src/test/resources/tar, made by its
 * make_tar_fixture.py from real speech): a WeNet data.list of two shards, a WebDataset brace pattern over two shards
 * (the second cut short) and the same audio as loose files in JSON lines, all read with --manifest-format auto.
 * Every expected value is worked out by hand from the member table in that script (0-based member indexes).
 */
class TarPrepareTest {
    static final Path FIXTURE = TestCorpora.repoRoot().resolve("data-pipeline/src/test/resources/tar");
    static final String LIST = "file:" + FIXTURE.resolve("wenet/data.list");
    static final String PATTERN = "file:" + FIXTURE.resolve("webdataset") + "/shard-{000000..000001}.tar";
    static final String LOOSE = "file:" + FIXTURE.resolve("loose/loose.jsonl");
    static final String W0 = "file:" + FIXTURE.resolve("wenet/shards/shard_000000.tar");
    static final String W1 = "file:" + FIXTURE.resolve("wenet/shards/shard_000001.tar");
    static final String D0 = "file:" + FIXTURE.resolve("webdataset/shard-000000.tar");
    static final String D1 = "file:" + FIXTURE.resolve("webdataset/shard-000001.tar");

    /** Key -> {text, source, line} of every row that reaches a shard. */
    static final Map<String, List<Object>> ACCEPTED = Map.ofEntries(
            Map.entry("w-speech", List.of("hello wenet", W0, 0L)),
            Map.entry("w-half", List.of("half as loud", W0, 2L)),
            Map.entry("w.dots.key", List.of("dots in the key", W0, 6L)),
            Map.entry("w-mp3", List.of("an mp3 member", W1, 0L)),
            Map.entry("w-flac", List.of("a flac member", W1, 2L)),
            Map.entry("d-a", List.of("flac with json", D0, 0L)),
            Map.entry("d-b", List.of("first dot splits", D0, 2L)),
            Map.entry("d-d", List.of("mp3 in webdataset", D1, 0L)),
            Map.entry("l-speech", List.of("hello wenet", LOOSE, 0L)),
            Map.entry("l-half", List.of("half as loud", LOOSE, 1L)),
            Map.entry("l-mp3", List.of("an mp3 member", LOOSE, 2L)),
            Map.entry("l-flac", List.of("a flac member", LOOSE, 3L)));

    /** Key -> {reason, a phrase of its detail, source, line} of every reject. */
    static final Map<String, List<Object>> REJECTED = Map.of(
            "w-notext", List.of("MALFORMED_MANIFEST_LINE", "(w-notext.wav) has no usable text member", W0, 4L),
            "w-noaudio", List.of("MISSING_AUDIO", "has a text member (w-noaudio.txt) but no audio member", W0, 5L),
            "w-two", List.of("MALFORMED_MANIFEST_LINE", "2 audio members (w-two.wav, w-two.flac)", W1, 4L),
            "w-speech", List.of("DUPLICATE_KEY", "key already used at " + W0 + ":1", W1, 7L),
            "d-c", List.of("MALFORMED_MANIFEST_LINE", "no \"text\" string field", D0, 4L),
            // d-e.wav's header is at 10240 (d-d.mp3: 512 + 8676 -> 9216, d-d.txt: 1024); the file ends at 11752
            D1 + "@10240", List.of("MALFORMED_MANIFEST_LINE", "damaged at byte 10240: member 'd-e.wav' declares "
                    + "22094 bytes but only 1000 follow", D1, 2L));

    /** Rows per source: each tar's utterances and rejects, the loose manifest's lines. */
    static final Map<String, Long> PER_SOURCE = Map.of(W0, 5L, W1, 4L, D0, 3L, D1, 2L, LOOSE, 4L);

    @Test
    void tarMembersAreRowsReferringIntoTheTar() throws IOException {
        try (SparkSession spark = TestCorpora.spark()) {
            List<ParsedLine> lines = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(LIST, PATTERN))).setOutput("unused").build()
                    .readManifests().collect();
            Map<String, String> audio = new TreeMap<>();
            lines.stream().filter(p -> !p.isMalformed()).forEach(p -> audio.put(p.source() + " " + p.entry().key(),
                    p.entry().audioPath()));
            // offsets by hand: a member's data follows its 512-byte header; data is padded to 512
            assertEquals("tar:" + W0 + "!512:22094/w-speech.wav", audio.get(W0 + " w-speech"));
            assertEquals("tar:" + W0 + "!24576:22094/w-half.wav", audio.get(W0 + " w-half"));
            assertEquals("tar:" + W1 + "!10752:19521/w-flac.flac", audio.get(W1 + " w-flac"));
            assertEquals("tar:" + W1 + "!76800:22094/w-speech.wav", audio.get(W1 + " w-speech"));
            assertEquals("tar:" + D0 + "!22016:22094/d-b.seg.wav", audio.get(D0 + " d-b"));
            assertEquals("tar:" + D1 + "!512:8676/d-d.mp3", audio.get(D1 + " d-d"));
            assertEquals(14, lines.size(), "5 + 4 WeNet rows, 3 + 2 WebDataset rows");
            assertEquals(9, audio.size(), "the 5 rejected at reading have no audio path");
        }
    }

    @Test
    void prepareShardsEveryTarUtteranceOrRejectsIt(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("ds");
        try (SparkSession spark = TestCorpora.spark()) {
            PrepareReport report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(LIST, PATTERN, LOOSE), "output.num_shards=2"))
                    .setOutput(out.toString()).optProgress(new java.io.PrintStream(java.io.OutputStream
                            .nullOutputStream()), 60).build().run();
            assertEquals(18, report.inputRows(), report.summary());
            assertEquals(12, report.acceptedRows(), report.summary());
            assertEquals(6, report.rejectedRows(), report.summary());

            Map<String, Row> shard = new TreeMap<>();
            for (Row r : spark.read().parquet(out.resolve("shards").toString())
                    .select("key", "text", "features", "source", "line").collectAsList()) {
                shard.put(r.getString(0), r);
            }
            assertEquals(new TreeMap<>(ACCEPTED).keySet(), shard.keySet());
            ACCEPTED.forEach((key, want) -> {
                Row r = shard.get(key);
                assertEquals(want.get(0), r.getString(1), key);
                assertEquals(want.get(1), r.getString(3), key);
                assertEquals(want.get(2), r.getLong(4), key);
            });
            // A member's features are the loose file's, bit for bit; F is S losslessly encoded, so F's are S's too.
            byte[] s = (byte[]) shard.get("l-speech").get(2);
            byte[] h = (byte[]) shard.get("l-half").get(2);
            byte[] m = (byte[]) shard.get("l-mp3").get(2);
            assertFalse(java.util.Arrays.equals(s, h), "S and H differ");
            assertFalse(java.util.Arrays.equals(s, m), "S and M differ");
            for (String k : List.of("w-speech", "w.dots.key", "d-b", "w-flac", "d-a", "l-flac")) {
                assertArrayEquals(s, (byte[]) shard.get(k).get(2), k + " is S");
            }
            assertArrayEquals(h, (byte[]) shard.get("w-half").get(2), "w-half is H");
            for (String k : List.of("w-mp3", "d-d")) {
                assertArrayEquals(m, (byte[]) shard.get(k).get(2), k + " is M");
            }

            Map<String, Row> rejects = PreparedOutput.rejects(spark, out);
            PreparedOutput.assertRejects(REJECTED, rejects);

            // Per tar (and per loose manifest), shard rows + rejects = its rows.
            Map<String, Long> perSource = new TreeMap<>();
            shard.values().forEach(r -> perSource.merge(r.getString(3), 1L, Long::sum));
            rejects.values().forEach(r -> perSource.merge(r.getString(3), 1L, Long::sum));
            assertEquals(new TreeMap<>(PER_SOURCE), perSource);
        }
    }

    /**
     * NeMo's layout: nemo/tarred_audio_manifest.json beside audio_0.tar and audio_1.tar; its lines find their members
     * by file name; extra.wav (named by no line) is not read; features equal the loose files' (a second run).
     */
    @Test
    void nemoTarredManifestLinesReadTheirMembers(@TempDir Path tmp) throws IOException {
        String nemo = "file:" + FIXTURE.resolve("nemo");
        String manifest = nemo + "/tarred_audio_manifest.json";
        try (SparkSession spark = TestCorpora.spark()) {
            PrepareReport report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(nemo), "input.manifest_format=nemo_tar"))
                    .setOutput(tmp.resolve("nemo").toString()).optProgress(new java.io.PrintStream(java.io
                            .OutputStream.nullOutputStream()), 60).build().run();
            assertEquals(4, report.inputRows(), report.summary());
            assertEquals(2, report.acceptedRows(), report.summary());
            PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(LOOSE)))
                    .setOutput(tmp.resolve("loose").toString()).optProgress(new java.io.PrintStream(java.io
                            .OutputStream.nullOutputStream()), 60).build().run();
            Map<String, Row> shard = new TreeMap<>();
            for (String ds : List.of("nemo", "loose")) {
                for (Row r : spark.read().parquet(tmp.resolve(ds).resolve("shards").toString())
                        .select("key", "text", "features", "source", "line").collectAsList()) {
                    shard.put(r.getString(0), r);
                }
            }
            // NeMo rows have no key: the audio path names them (JsonLinesManifest's rule)
            assertEquals("nemo speech", shard.get("n-speech.wav").getString(1));
            assertEquals(manifest, shard.get("n-speech.wav").getString(3));
            assertEquals(0L, shard.get("n-speech.wav").getLong(4));
            assertEquals(1L, shard.get("n-mp3.mp3").getLong(4));
            assertArrayEquals((byte[]) shard.get("l-speech").get(2), (byte[]) shard.get("n-speech.wav").get(2));
            assertArrayEquals((byte[]) shard.get("l-mp3").get(2), (byte[]) shard.get("n-mp3.mp3").get(2));
            Map<String, Row> rejects = new TreeMap<>();
            for (Row r : spark.read().parquet(tmp.resolve("nemo").resolve("rejects").toString())
                    .select("key", "reason", "detail", "source", "line").collectAsList()) {
                rejects.put(r.getString(1) + " " + r.getString(3) + ":" + r.getLong(4), r);
            }
            assertEquals(List.of("MALFORMED_MANIFEST_LINE " + manifest + ":3", "MISSING_AUDIO " + manifest + ":2"),
                    List.copyOf(rejects.keySet()));
            String missing = rejects.get("MISSING_AUDIO " + manifest + ":2").getString(2);
            assertTrue(missing.contains("'gone.wav' is a member of none of the 2 tars"), missing);
        }
    }
}
