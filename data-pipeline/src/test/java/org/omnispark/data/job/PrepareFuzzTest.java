package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.fuzz.AudioFuzzer;
import org.omnispark.data.fuzz.FuzzSeeds;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;

/**
 * The prepare job on local[2] against 300 damaged audio files (AudioFuzzer, seed 7), their 30 valid seed files (6 MP3,
 * 4 Ogg Opus, 3 WebM/Matroska Opus) as controls, 20 damaged Vorbis files (Ogg and WebM, decoded by ffmpeg; seed 8)
 * and their 2 seeds, a fuzzed JSON-lines manifest (malformed JSON, wrong types, a 3 MB line, invalid UTF-8, NUL bytes)
 * and a fuzzed Kaldi data dir (bad and duplicate segments, wav.scp and utt2spk lines, pipes, unknown recordings). The
 * job must finish within the test's 6-minute limit, account for every input row, accept every control, and leave no
 * thread working on audio.
 */
class PrepareFuzzTest {
    /** What becomes of each Kaldi utterance ("ACCEPTED" or the reject reason). */
    private static final Map<String, String> KALDI_EXPECTED = Map.ofEntries(Map.entry("k-utt0", "ACCEPTED"),
            Map.entry("k-utt1", "MALFORMED_MANIFEST_LINE"), Map.entry("k-utt2", "MALFORMED_MANIFEST_LINE"),
            Map.entry("k-utt3", "MALFORMED_MANIFEST_LINE"), Map.entry("k-utt4", "MALFORMED_MANIFEST_LINE"),
            Map.entry("k-utt5", "MALFORMED_MANIFEST_LINE"), Map.entry("k-utt6", "MALFORMED_MANIFEST_LINE"),
            Map.entry("k-utt7", "MISSING_AUDIO"), Map.entry("k-utt8", "SEGMENT_OUT_OF_RANGE"),
            Map.entry("k-utt9", "ACCEPTED"), Map.entry("k-utt10", "MALFORMED_MANIFEST_LINE"),
            Map.entry("k-utt11", "MALFORMED_MANIFEST_LINE"), Map.entry("k-no-transcript", "MISSING_AUDIO"),
            Map.entry("k-piped", "UNSUPPORTED_AUDIO"), Map.entry("k-whole", "ACCEPTED"));
    private static final Set<String> FILE_REASONS = Set.of("CORRUPT_AUDIO", "TRUNCATED_AUDIO", "UNSUPPORTED_AUDIO",
            "TOO_SHORT", "TOO_LONG", "TOKEN_RATE_OUT_OF_RANGE", "TIMEOUT", "SEGMENT_OUT_OF_RANGE");

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void nothingAFileOrAManifestHoldsStopsTheJobOrLosesARow(@TempDir Path tmp) throws Exception {
        List<FuzzSeeds.Seed> seeds = FuzzSeeds.write(tmp);
        List<AudioFuzzer.Mutant> mutants = new ArrayList<>(new AudioFuzzer(7).mutate(FuzzSeeds.bytes(seeds), 300));
        // Vorbis (Ogg, WebM) is decoded by ffmpeg, a process per file: its two seeds and 20 mutants of them
        List<FuzzSeeds.Seed> vorbis = FuzzSeeds.vorbis(tmp);
        List<AudioFuzzer.Mutant> vorbisMutants = new AudioFuzzer(8).mutate(FuzzSeeds.bytes(vorbis), 20);
        Map<String, String> vorbisTexts = new HashMap<>();
        for (AudioFuzzer.Mutant m : vorbisMutants) {
            AudioFuzzer.Mutant renamed = new AudioFuzzer.Mutant(m.name().replace("fuzz-", "fuzz-vorbis-"), m.damage(),
                    m.bytes());
            mutants.add(renamed);
            vorbisTexts.put(renamed.name(), vorbis.get(0).text());
        }
        seeds = new ArrayList<>(seeds);
        int plainSeeds = seeds.size();
        seeds.addAll(vorbis);
        List<String> audioLines = new ArrayList<>();
        Set<String> controls = new HashSet<>();
        Set<String> audioKeys = new HashSet<>();
        for (int i = 0; i < seeds.size(); i++) {
            String key = "control-" + seeds.get(i).file().getFileName();
            controls.add(key);
            audioKeys.add(key);
            audioLines.add(line(key, seeds.get(i).file().toString(), seeds.get(i).text()));
        }
        for (int i = 0; i < mutants.size(); i++) {
            AudioFuzzer.Mutant m = mutants.get(i);
            Path f = tmp.resolve(m.name() + ".audio");
            Files.write(f, m.bytes());
            audioKeys.add(m.name());
            audioLines.add(line(m.name(), f.toString(), vorbisTexts.getOrDefault(m.name(),
                    seeds.get(i % plainSeeds).text())));
        }
        Path audioManifest = tmp.resolve("audio.jsonl");
        Files.write(audioManifest, audioLines);
        Path good = seeds.get(1).file();
        int jsonLines = writeFuzzedManifest(tmp.resolve("fuzzed.jsonl"), good, new Random(11));
        int kaldiLines = writeFuzzedKaldiDir(tmp.resolve("kaldi"), good);

        Set<String> threadsBefore = threadNames();
        SparkSession spark = TestCorpora.spark();
        Path out = tmp.resolve("dataset");
        PrepareReport report;
        try {
            long t0 = System.nanoTime();
            report = PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(
                            audioManifest.toString(), tmp.resolve("fuzzed.jsonl").toString(),
                            tmp.resolve("kaldi").toString()), "output.num_shards=2", "filters.min_confidence=0"))
                    .setOutput(out.toString()).build().run();
            System.out.printf("prepare fuzz: %.1f s, %s%n", (System.nanoTime() - t0) / 1e9, report.toJson());

            assertEquals(audioLines.size() + jsonLines + kaldiLines, report.inputRows(), "every non-blank line");
            assertEquals(report.inputRows(), report.acceptedRows() + report.rejectedRows(), report.summary());
            Map<String, String> rejects = new TreeMap<>();
            for (Row r : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
                rejects.put(r.getString(r.fieldIndex("key")), r.getString(r.fieldIndex("reason")) + ": "
                        + r.getString(r.fieldIndex("detail")));
            }
            Set<String> accepted = new HashSet<>();
            DatasetManifest manifest = DatasetManifest.read(out);
            for (DatasetManifest.ShardInfo s : manifest.shards()) {
                try (ShardReader r = ShardReader.open(out.resolve(s.path()))) {
                    while (r.hasNext()) {
                        assertTrue(accepted.add(r.next().key()), "a key twice in the shards");
                    }
                }
            }
            for (String c : controls) {
                assertTrue(accepted.contains(c), c + " (a valid file) was rejected: " + rejects.get(c));
            }
            for (String k : audioKeys) {
                assertTrue(accepted.contains(k) ^ rejects.containsKey(k), k + " must be in exactly one output");
                if (rejects.containsKey(k)) {
                    String reason = rejects.get(k).substring(0, rejects.get(k).indexOf(':'));
                    assertTrue(FILE_REASONS.contains(reason), k + ": " + rejects.get(k));
                    assertTrue(reason.equals("TOO_SHORT") || reason.equals("TOKEN_RATE_OUT_OF_RANGE")
                            || rejects.get(k).contains(k + ".audio"), "the detail names the file: " + rejects.get(k));
                }
            }
            Map<String, String> kaldi = new TreeMap<>();
            for (String k : KALDI_EXPECTED.keySet()) {
                kaldi.put(k, accepted.contains(k) ? "ACCEPTED" : rejects.getOrDefault(k, "LOST: ").split(":")[0]);
            }
            assertEquals(new TreeMap<>(KALDI_EXPECTED), kaldi, "the fate of each Kaldi utterance");
            assertTrue(rejects.keySet().stream().filter(audioKeys::contains).count() > 150,
                    "most damaged files are rejected");
        } finally {
            spark.stop();
        }
        // Nothing keeps decoding once the job is over.
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement e : t.getValue()) {
                assertTrue(!e.getClassName().startsWith("org.omnispark.data.audio")
                        && !e.getClassName().startsWith("org.omnispark.data.features"),
                        "thread " + t.getKey().getName() + " still runs " + e);
            }
        }
        assertTrue(threadsBefore.size() > 0);
    }

    private static Set<String> threadNames() {
        Set<String> names = new HashSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }

    private static String line(String key, String path, String text) {
        return "{\"key\": \"" + key + "\", \"wav\": \"" + path + "\", \"txt\": \"" + text + "\"}";
    }

    /** Malformed and odd JSON lines; returns how many non-blank lines it wrote. */
    private static int writeFuzzedManifest(Path file, Path good, Random rnd) throws Exception {
        String valid = line("json-valid-%d", good.toString(), "seven tigers bring the box to the river");
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String v = String.format(valid, i);
            lines.add(v.substring(0, rnd.nextInt(v.length())).getBytes(StandardCharsets.UTF_8)); // cut JSON
        }
        String[] typed = {
            "{\"key\": 5, \"wav\": \"%s\", \"txt\": \"the box\"}",
            "{\"key\": \"typed-1\", \"wav\": [\"%s\"], \"txt\": \"the box\"}",
            "{\"key\": \"typed-2\", \"wav\": \"%s\", \"txt\": {\"a\": 1}}",
            "{\"key\": \"typed-3\", \"wav\": \"%s\", \"txt\": \"the box\", \"offset\": \"soon\"}",
            "{\"key\": \"typed-4\", \"wav\": \"%s\", \"txt\": \"the box\", \"confidence\": 7}",
            "{\"key\": \"typed-5\", \"wav\": \"%s\", \"txt\": \"the box\", \"offset\": -3}",
            "{\"key\": \"typed-6\", \"wav\": \"%s\", \"txt\": \"the box\", \"length\": 1e308}",
            "{\"key\": \"typed-7\", \"wav\": \"%s\", \"txt\": \"the box\", \"offset\": 1e308, \"length\": 1}",
            "{\"key\": \"typed-8\", \"wav\": \"%s\", \"txt\": null}",
            "{\"key\": \"\", \"wav\": \"%s\", \"txt\": \"the box\"}",
            "\"just a string %s\"",
            "{\"key\": \"typed-9\", \"wav\": \"%s\", \"txt\": \"the box\"} trailing",
            "{\"key\": \"typed-10\", \"wav\": \"%s\", \"txt\": \"the box\", \"key\": \"again\"}",
        };
        for (String t : typed) {
            lines.add(String.format(t, good).getBytes(StandardCharsets.UTF_8));
        }
        lines.add(("{\"key\": \"huge\", \"wav\": \"" + good + "\", \"txt\": \"" + "a".repeat(3 << 20) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        bad.writeBytes(("{\"key\": \"utf8-\u00ff").getBytes(StandardCharsets.UTF_8));
        bad.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
        bad.writeBytes(("\", \"wav\": \"" + good + "\", \"txt\": \"the box\"}").getBytes(StandardCharsets.UTF_8));
        lines.add(bad.toByteArray());
        lines.add(("{\"key\": \"nul\u0000\", \"wav\": \"" + good + "\", \"txt\": \"the\u0000box\"}")
                .getBytes(StandardCharsets.UTF_8));
        lines.add(new byte[] {0, 0, 0, 0});
        lines.add(("\uFEFF" + String.format(valid, 99)).getBytes(StandardCharsets.UTF_8)); // a BOM
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int nonBlank = 0;
        for (byte[] l : lines) {
            all.writeBytes(l);
            all.write('\n');
            if (!new String(l, StandardCharsets.UTF_8).isBlank()) {
                nonBlank++;
            }
        }
        all.writeBytes("\n   \n".getBytes(StandardCharsets.UTF_8)); // blank lines are not rows
        Files.write(file, all.toByteArray());
        return nonBlank;
    }

    /** A Kaldi data dir whose every file has damage; returns the number of non-blank text lines. */
    private static int writeFuzzedKaldiDir(Path dir, Path good) throws Exception {
        Files.createDirectories(dir);
        List<String> text = new ArrayList<>();
        List<String> segments = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            text.add("k-utt" + i + " seven tigers bring the box");
        }
        text.add("k-no-transcript");
        text.add("k-piped the box");
        text.add("k-whole the box to the river");
        segments.addAll(List.of(
                "k-utt0 rec1 0.1 1.2",
                "k-utt1 rec1 0.2",                    // too few fields
                "k-utt2 rec1 abc 1.0",                // not a number
                "k-utt3 rec1 1.0 0.5",                // end before start
                "k-utt4 rec1 -1 0.5",                 // negative start
                "k-utt5 rec1 NaN 1",                  // NaN
                "k-utt6 rec1 0.1 1.0", "k-utt6 rec1 0.2 1.1", // twice
                "k-utt7 nowhere 0 1",                 // unknown recording
                "k-utt8 rec1 500 501",                // past the end
                "k-utt9 rec2 0.1 -1",                 // to the end, rec2 listed twice in wav.scp
                "k-utt10 rec1 0.1 1.0 extra",         // too many fields
                "k-utt11 rec1 0.0 1e309",             // infinite end
                "k-piped pipe 0 1",
                "k-orphan rec1 0 1",                  // not in text: ignored
                "\u0000\u0000"));
        Files.write(dir.resolve("text"), text);
        Files.write(dir.resolve("segments"), segments);
        Files.write(dir.resolve("wav.scp"), List.of("rec1 " + good, "rec2 " + good, "rec2 /elsewhere.wav",
                "pipe sox in.flac -t wav - |", "k-whole " + good, "broken-line-without-value", ""));
        Files.write(dir.resolve("utt2spk"), List.of("k-utt0 spk1", "k-utt0 spk2", "k-utt3", "  "));
        return text.size();
    }
}
