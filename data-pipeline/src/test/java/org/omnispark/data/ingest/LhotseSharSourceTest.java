package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.RejectReason;
import org.omnispark.data.tools.RequiredTools;

/**
 * Lhotse Shar reading without the prepare job: the folder layout (pairing, AUTO detection, what is an error), cut
 * parsing with the Shar placeholder, and the Spark join of cuts with tar members on the checked-in fixture
 * (data-pipeline/src/test/resources/lhotse_shar, described in its make_lhotse_shar_fixture.py, which writes it again
 * here).
 */
class LhotseSharSourceTest {
    static final Path FIXTURE = fixture();

    private static Path fixture() {
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path module = Files.isDirectory(here.resolve("src/test/resources")) ? here : here.resolve("data-pipeline");
        return module.resolve("src/test/resources/lhotse_shar");
    }

    private static ManifestInputs.Input resolve(Path p, ManifestFormat format) {
        return ManifestInputs.resolve(new Configuration(), List.of(p.toString()), format).get(0);
    }

    private static String uri(Path p) {
        return "file:" + p.toAbsolutePath();
    }

    /** The checked-in fixture is what its script writes (tars byte for byte, gzip files by content). */
    @Test
    void regeneratingGivesTheCheckedInFixture(@TempDir Path tmp) throws IOException, InterruptedException {
        RequiredTools.require("python3");
        RequiredTools.run("python3", FIXTURE.resolve("make_lhotse_shar_fixture.py").toString(), tmp.toString());
        List<String> files = List.of("shar/cuts.000000.jsonl.gz", "shar/recording.000000.tar",
                "shar/cuts.000001.jsonl.gz", "shar/recording.000001.tar", "flac/cuts.000000.jsonl.gz",
                "flac/recording.000000.tar");
        try (var made = Files.walk(tmp)) {
            assertEquals(files.size(), made.filter(Files::isRegularFile).count(), "the script writes " + files);
        }
        for (String f : files) {
            assertArrayEquals(content(FIXTURE.resolve(f)), content(tmp.resolve(f)), f + " differs from what "
                    + "make_lhotse_shar_fixture.py writes: run it again and check in its output");
        }
    }

    private static byte[] content(Path p) throws IOException {
        if (!p.toString().endsWith(".gz")) {
            return Files.readAllBytes(p);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aFolderPairsItsShardsByNumber() {
        Path shar = FIXTURE.resolve("shar");
        List<String> cuts = List.of(uri(shar.resolve("cuts.000000.jsonl.gz")),
                uri(shar.resolve("cuts.000001.jsonl.gz")));
        List<String> tars = List.of(uri(shar.resolve("recording.000000.tar")),
                uri(shar.resolve("recording.000001.tar")));
        for (ManifestFormat f : List.of(ManifestFormat.AUTO, ManifestFormat.LHOTSE_SHAR)) {
            ManifestInputs.Input in = resolve(shar, f);
            assertEquals(ManifestInputs.Kind.LHOTSE_SHAR, in.kind(), f.toString());
            assertEquals(cuts, in.cuts());
            assertEquals(tars, in.tars());
            assertEquals(List.of(cuts.get(0), cuts.get(1), tars.get(0), tars.get(1)), in.rowSources());
        }
        // One shard's cuts file with its tar beside it is that shard (auto too: not a plain Lhotse cuts file).
        Path flacCuts = FIXTURE.resolve("flac/cuts.000000.jsonl.gz");
        ManifestInputs.Input one = resolve(flacCuts, ManifestFormat.AUTO);
        assertEquals(ManifestInputs.Kind.LHOTSE_SHAR, one.kind());
        assertEquals(List.of(uri(FIXTURE.resolve("flac/recording.000000.tar"))), one.tars());
        // As plain Lhotse, the placeholder is a reject that says what to pass instead.
        assertEquals(ManifestInputs.Kind.LHOTSE_CUTS, resolve(flacCuts, ManifestFormat.LHOTSE).kind());
    }

    @Test
    void layoutWithoutShardNumbersOtherFieldsAndErrors(@TempDir Path tmp) throws IOException {
        Path d = Files.createDirectories(tmp.resolve("unsharded"));
        for (String n : List.of("cuts.jsonl.gz", "recording.tar", "features.tar", "cuts.jsonl.idx",
                "recording.tar.idx")) {
            Files.write(d.resolve(n), new byte[0]);
        }
        ManifestInputs.Input in = resolve(d, ManifestFormat.AUTO);
        assertEquals(List.of(uri(d.resolve("cuts.jsonl.gz"))), in.cuts());
        assertEquals(List.of(uri(d.resolve("recording.tar"))), in.tars(), "features.tar and .idx files are not read");

        Path gap = Files.createDirectories(tmp.resolve("gap"));
        for (String n : List.of("cuts.000000.jsonl.gz", "recording.000000.tar", "cuts.000001.jsonl.gz",
                "recording.000002.tar")) {
            Files.write(gap.resolve(n), new byte[0]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolve(gap, ManifestFormat.AUTO));
        assertTrue(e.getMessage().contains("is incomplete: cuts.000001.jsonl.gz has no recording.000001.tar; "
                + "recording.000002.tar has no cuts.000002.jsonl.gz"), e.getMessage());

        Path noAudio = Files.createDirectories(tmp.resolve("noaudio"));
        Files.write(noAudio.resolve("cuts.000000.jsonl.gz"), new byte[0]);
        Files.write(noAudio.resolve("features.000000.tar"), new byte[0]);
        e = assertThrows(IllegalArgumentException.class, () -> resolve(noAudio, ManifestFormat.AUTO));
        assertTrue(e.getMessage().contains("has cuts but no recording.NNNNNN.tar"), e.getMessage());

        Path tarsOnly = Files.createDirectories(tmp.resolve("tars"));
        Files.write(tarsOnly.resolve("recording.000000.tar"), new byte[0]);
        assertEquals(ManifestInputs.Kind.WEBDATASET, resolve(tarsOnly, ManifestFormat.AUTO).kind(),
                "no cuts: auto does not take it for Shar");
        e = assertThrows(IllegalArgumentException.class, () -> resolve(tarsOnly, ManifestFormat.LHOTSE_SHAR));
        assertTrue(e.getMessage().contains("has no cuts.NNNNNN.jsonl.gz"), e.getMessage());
    }

    @Test
    void memberNamesAndPlaceholderCuts() {
        assertEquals("cut-1", LhotseSharSource.cutIdOf("cut-1.flac"));
        assertEquals("a.b/c.d", LhotseSharSource.cutIdOf("a.b/c.d.wav"), "up to the last dot, as Lhotse's stem");
        assertNull(LhotseSharSource.cutIdOf("cut-1.json"));
        assertNull(LhotseSharSource.cutIdOf("cut-1.nodata"));
        assertNull(LhotseSharSource.cutIdOf("cut-1.nometa"));
        assertNull(LhotseSharSource.cutIdOf("dir.x/noext"));

        String cut = "{\"id\": \"c1\", \"start\": 0, \"duration\": 0.8, \"channel\": 0, \"supervisions\": [{\"id\": "
                + "\"s1\", \"recording_id\": \"r\", \"start\": 0.3, \"duration\": 0.5, \"channel\": 0, "
                + "\"text\": \"hi\"}], \"recording\": {\"id\": \"r\", \"sources\": [{\"type\": \"shar\", "
                + "\"channels\": [0], \"source\": \"\"}], \"sampling_rate\": 16000, \"num_samples\": 12800, "
                + "\"duration\": 0.8, \"channel_ids\": [0]}, \"type\": \"MonoCut\"}";
        ParsedLine row = LhotseManifest.parseSharCut(cut, "cuts.000000.jsonl.gz", 4).get(0);
        assertEquals("c1", LhotseManifest.sharCutId(row));
        assertEquals(0.3, row.entry().offset(), "relative to the cut's own audio");
        assertEquals(0.5, row.entry().length());
        ParsedLine plain = LhotseManifest.parseCut(cut, "cuts.000000.jsonl.gz", 4).get(0);
        assertEquals(RejectReason.UNSUPPORTED_AUDIO, plain.reason());
        assertTrue(plain.error().contains("--manifest-format lhotse_shar"), plain.error());

        TarMember m = new TarMember("file:/x/recording.000000.tar", 1536, 100, "c1.flac");
        ParsedLine joined = LhotseSharSource.withMember(row, "c1", m, m.tar());
        assertEquals(m.uri(), joined.entry().audioPath());
        assertEquals(4, joined.line());
        ParsedLine missing = LhotseSharSource.withMember(row, "c1", null, m.tar());
        assertEquals(RejectReason.MISSING_AUDIO, missing.reason());
        assertEquals("s1", missing.keyHint());
        assertTrue(missing.error().contains("cut 'c1' has no audio member in file:/x/recording.000000.tar"),
                missing.error());
    }

    @Test
    void readJoinsCutsWithTheirMembers() {
        Path shar = FIXTURE.resolve("shar");
        String c0 = uri(shar.resolve("cuts.000000.jsonl.gz"));
        String c1 = uri(shar.resolve("cuts.000001.jsonl.gz"));
        String r0 = uri(shar.resolve("recording.000000.tar"));
        String r1 = uri(shar.resolve("recording.000001.tar"));
        try (JavaSparkContext jsc = new JavaSparkContext(new SparkConf().setMaster("local[2]")
                .setAppName("shar").set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"))) {
            List<ParsedLine> rows = LhotseSharSource.read(jsc, List.of(c0, c1), List.of(r0, r1)).collect();
            Map<String, String> got = new TreeMap<>();
            for (ParsedLine p : rows) {
                String what = p.isMalformed() ? p.reason() + " " + p.source() + ":" + p.line()
                        : p.entry().audioPath() + " @" + p.entry().offset() + "+" + p.entry().length() + " "
                        + p.source() + ":" + p.line();
                assertNull(got.put(p.keyHint(), what), p.keyHint() + " twice");
            }
            // offsets by hand: shar-two.wav (52964 bytes) from 512, padded to 53760; its .json (164) to 54784;
            // shar-offset.wav's data after its header
            Map<String, String> want = new TreeMap<>(Map.of(
                    "shar-a", "tar:" + r0 + "!512:52964/shar-two.wav @0.0+0.5 " + c0 + ":0",
                    "shar-b", "tar:" + r0 + "!512:52964/shar-two.wav @0.7+0.5 " + c0 + ":0",
                    "shar-c", "tar:" + r0 + "!55296:35324/shar-offset.wav @0.3+0.5 " + c0 + ":1",
                    "shar-gone-sup", "MISSING_AUDIO " + c0 + ":2",
                    "shar-ch1-sup", "tar:" + r1 + "!512:22094/shar-ch1.wav @0.0+0.5 " + c1 + ":0",
                    "shar-norec-sup", "MISSING_AUDIO " + c1 + ":1",
                    "shar-multi-sup", "UNSUPPORTED_AUDIO " + c1 + ":2",
                    "shar-cut-sup", "MISSING_AUDIO " + c1 + ":3",
                    r1 + "@71168", "MALFORMED_MANIFEST_LINE " + r1 + ":6"));
            assertEquals(want, got);
        }
    }
}
