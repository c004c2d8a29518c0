package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.audio.Audio;
import org.omnispark.data.audio.AudioDecoder;
import org.omnispark.data.audio.Resampler;
import org.omnispark.data.features.Fbank;
import org.omnispark.data.features.FbankOptions;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;
import org.omnispark.data.reader.Utterance;

/**
 * The prepare job on a real espeak-ng corpus with damaged audio, corrupted labels and hand-made bad manifest
 * lines: every input row must land in exactly one of shards or rejects, with the reason the corpus's truth file
 * predicts; shard contents must be what the library computes directly.
 */
class PrepareJobTest {
    private static SparkSession spark;
    private static Path corpus;
    private static Path extra;
    private static Map<String, String> expectedRejects;
    private static Set<String> inputKeys;
    private static Path out;
    private static PrepareReport report;

    @BeforeAll
    static void prepare(@TempDir Path tmp) throws IOException {
        corpus = TestCorpora.corpus(36, 11, 1.0 / 6);
        Map<String, JsonNode> truth = TestCorpora.truth(corpus);
        expectedRejects = new TreeMap<>();
        inputKeys = new HashSet<>(truth.keySet());
        String good = null;
        for (JsonNode t : truth.values()) {
            String key = t.get("key").asText();
            if (!t.get("expected_reject").isNull()) {
                expectedRejects.put(key, t.get("expected_reject").asText());
            } else if (t.get("confidence").asDouble() < 0.6) {
                expectedRejects.put(key, "LOW_CONFIDENCE");
            } else if (good == null && t.get("format").asText().startsWith("wav-16000")) {
                good = corpus.resolve(t.get("audio_filepath").asText()).toString();
            }
        }
        // Hand-made rows in a second manifest (WeNet and NeMo field names, segments), each with a known fate.
        List<String> lines = List.of(
                "{\"key\": \"bad-json\", ",                                                        // malformed
                "[1, 2, 3]",                                                                        // malformed
                "{\"key\": \"no-text\", \"wav\": \"" + good + "\"}",                                // malformed
                "{\"key\": \"synth-train-000000\", \"wav\": \"" + good + "\", \"txt\": \"hello\"}", // duplicate
                "{\"key\": \"tags-only\", \"wav\": \"" + good + "\", \"txt\": \"[noise] <unk>\"}",  // empty
                "{\"key\": \"rare-chars\", \"wav\": \"" + good + "\", \"txt\": \"ʘǁ ǂǃ ʬʭ\"}",       // garbage
                "{\"key\": \"seg-ok\", \"audio_filepath\": \"" + good
                        + "\", \"text\": \"the tiger\", \"offset\": 0.2, \"duration\": 0.6}",      // accepted
                "{\"key\": \"seg-past-end\", \"audio_filepath\": \"" + good
                        + "\", \"text\": \"the tiger\", \"offset\": 1000, \"duration\": 1}",        // out of range
                "{\"key\": \"seg-tiny\", \"wav\": \"" + good
                        + "\", \"txt\": \"a\", \"offset\": 0.1, \"length\": 0.05}",                 // too short
                "{\"key\": \"seg-fast\", \"wav\": \"" + good
                        + "\", \"txt\": \"the brother and the tiger and the box\", \"offset\": 0, \"length\": 0.3}",
                "{\"key\": \"nowhere\", \"wav\": \"/nonexistent/x.wav\", \"txt\": \"the box\"}");   // missing
        // Hostile headers: a rate no resampler should try, and one below the supported range.
        List<String> all = new java.util.ArrayList<>(lines);
        for (int rate : new int[] {1_286_200_762, 500}) {
            Path wav = tmp.resolve("rate-" + rate + ".wav");
            Files.write(wav, silentWav(rate, 4000));
            all.add("{\"key\": \"rate-" + rate + "\", \"wav\": \"" + wav + "\", \"txt\": \"the box\"}");
            expectedRejects.put("rate-" + rate, "UNSUPPORTED_AUDIO");
        }
        extra = tmp.resolve("extra.jsonl");
        Files.write(extra, all);
        String extraSource = extra.toUri().toString();
        expectedRejects.put(extra + ":1", "MALFORMED_MANIFEST_LINE");
        expectedRejects.put(extra + ":2", "MALFORMED_MANIFEST_LINE");
        expectedRejects.put("no-text", "MALFORMED_MANIFEST_LINE");
        expectedRejects.put("synth-train-000000#dup", "DUPLICATE_KEY");
        expectedRejects.put("tags-only", "EMPTY_TRANSCRIPT");
        expectedRejects.put("rare-chars", "GARBAGE_TRANSCRIPT");
        expectedRejects.put("seg-past-end", "SEGMENT_OUT_OF_RANGE");
        expectedRejects.put("seg-tiny", "TOO_SHORT");
        expectedRejects.put("seg-fast", "TOKEN_RATE_OUT_OF_RANGE");
        expectedRejects.put("nowhere", "MISSING_AUDIO");
        inputKeys.addAll(List.of("seg-ok"));
        assertTrue(extraSource.length() > 0);

        spark = TestCorpora.spark();
        out = tmp.resolve("dataset");
        report = PrepareJob.builder().setSpark(spark)
                .setConfig(TestCorpora.config(List.of(corpus.resolve("manifest.jsonl").toString(), extra.toString()),
                        "output.num_shards=3", "text.char_min_count=2"))
                .setOutput(out.toString()).build().run();
    }

    /** A 16-bit mono PCM WAV of {@code samples} zeros whose header says {@code rate}. */
    static byte[] silentWav(int rate, int samples) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * samples).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate)
                .putInt((int) Math.min(Integer.MAX_VALUE, 2L * rate)).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(2 * samples);
        return b.array();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void everyInputRowIsAcceptedOrRejectedWithTheExpectedReason() {
        assertEquals(36 + 13, report.inputRows(), "36 synthesized rows + 13 hand-made lines");
        assertEquals(report.inputRows(), report.acceptedRows() + report.rejectedRows(), report.summary());
        Map<String, String> actual = new TreeMap<>();
        for (Row r : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
            String key = r.getString(r.fieldIndex("key"));
            String reason = r.getString(r.fieldIndex("reason"));
            if (reason.equals("DUPLICATE_KEY")) {
                key = key + "#dup";
            } else if (key.startsWith("file:")) {
                key = key.substring("file:".length());
            }
            actual.put(key, reason);
        }
        assertEquals(expectedRejects, actual, "rejects table (key -> reason)");
        assertEquals(expectedRejects.size(), report.rejectedRows(), "rejected count");
    }

    @Test
    void shardsHoldEveryAcceptedKeyOnceSortedByDuration() {
        DatasetManifest manifest = DatasetManifest.read(out);
        assertEquals(3, manifest.shards().size(), "output.num_shards=3");
        List<String> keys = new ArrayList<>();
        double[] hours = new double[3];
        for (int s = 0; s < 3; s++) {
            DatasetManifest.ShardInfo info = manifest.shards().get(s);
            double previous = 0;
            long rows = 0;
            try (ShardReader r = ShardReader.open(out.resolve(info.path()))) {
                while (r.hasNext()) {
                    Utterance u = r.next();
                    keys.add(u.key());
                    // sorted by the duration the header declares; the stored one is after resampling (< 1 ms apart)
                    assertTrue(u.duration() >= previous - 1e-3, "rows sorted by duration within " + info.path());
                    previous = u.duration();
                    hours[s] += u.duration() / 3600;
                    rows++;
                }
            }
            assertEquals(info.rows(), rows, "rows of " + info.path() + " in dataset.json");
            assertEquals(info.hours(), hours[s], 1e-9, "hours of " + info.path());
        }
        Set<String> expected = new HashSet<>(inputKeys);
        expected.removeAll(expectedRejects.keySet());
        assertEquals(keys.size(), new HashSet<>(keys).size(), "no key twice");
        assertEquals(expected, new HashSet<>(keys), "accepted keys");
        assertEquals(report.acceptedRows(), keys.size());
    }

    @Test
    void featuresEqualTheLibraryAppliedDirectly() throws Exception {
        DatasetManifest manifest = DatasetManifest.read(out);
        FbankOptions options = FbankOptions.fromMap(manifest.featureOptions());
        Map<String, JsonNode> truth = TestCorpora.truth(corpus);
        int checked = 0;
        for (DatasetManifest.ShardInfo info : manifest.shards()) {
            try (ShardReader r = ShardReader.open(out.resolve(info.path()))) {
                while (r.hasNext()) {
                    Utterance u = r.next();
                    JsonNode t = truth.get(u.key());
                    if (t == null || t.get("format").asText().startsWith("wav-16000")) {
                        continue; // check the resampled, downmixed and FLAC rows
                    }
                    Audio a = AudioDecoder.decode(Files.readAllBytes(corpus.resolve(t.get("audio_filepath")
                            .asText())), u.key());
                    float[] samples = Resampler.of(a.sampleRate(), 16000).resample(a.samples());
                    float[] expected = new Fbank(options).compute(samples, UtteranceProcessor.ditherSeed(u.key()));
                    assertArrayEquals(expected, u.features(), 0f, u.key() + " (" + t.get("format").asText() + ")");
                    checked++;
                }
            }
        }
        assertTrue(checked >= 3, "checked " + checked + " non-16 kHz rows");
    }

    @Test
    void cmvnStatisticsEqualASumOverTheShards() {
        DatasetManifest manifest = DatasetManifest.read(out);
        int dim = manifest.featureDim();
        double[] sum = new double[dim];
        double[] sumsq = new double[dim];
        long frames = 0;
        for (DatasetManifest.ShardInfo info : manifest.shards()) {
            try (ShardReader r = ShardReader.open(out.resolve(info.path()))) {
                while (r.hasNext()) {
                    Utterance u = r.next();
                    frames += u.numFrames();
                    for (int i = 0; i < u.features().length; i++) {
                        double v = u.features()[i];
                        sum[i % dim] += v;
                        sumsq[i % dim] += v * v;
                    }
                }
            }
        }
        assertEquals(frames, manifest.cmvn().frameCount(), "frame count");
        assertEquals(frames, manifest.totals().frames(), "total frames");
        for (int d = 0; d < dim; d++) {
            assertEquals(sum[d], manifest.cmvn().sum()[d], 1e-6 * Math.abs(sum[d]), "sum[" + d + "]");
            assertEquals(sumsq[d], manifest.cmvn().sumSquares()[d], 1e-6 * sumsq[d], "sumsq[" + d + "]");
        }
    }

    @Test
    void bucketedBatchesCoverEachRanksShardsOnceWithinBudget() {
        for (int rank = 0; rank < 2; rank++) {
            org.omnispark.data.reader.BucketedBatches batches = org.omnispark.data.reader.BucketedBatches.builder()
                    .setDataset(out).optSeed(3).optEpoch(1).optRank(rank, 2).optMaxFramesPerBatch(1500)
                    .optMaxBatchSize(4).optWindowSize(8).build();
            assertEquals(1, batches.shards().size(), "3 shards over 2 ranks: one each, one sits out");
            Set<String> expected = new HashSet<>();
            try (ShardReader r = ShardReader.open(out.resolve(batches.shards().get(0)))) {
                r.forEachRemaining(u -> expected.add(u.key()));
            }
            List<String> seen = new ArrayList<>();
            List<List<String>> first = new ArrayList<>();
            for (List<Utterance> batch : batches) {
                int longest = batch.stream().mapToInt(Utterance::numFrames).max().orElseThrow();
                assertTrue(batch.size() <= 4, "max batch size");
                assertTrue(batch.size() == 1 || longest * batch.size() <= 1500, "padded frames within budget");
                batch.forEach(u -> seen.add(u.key()));
                first.add(batch.stream().map(Utterance::key).toList());
            }
            assertEquals(expected.size(), seen.size(), "each row once");
            assertEquals(expected, new HashSet<>(seen), "rank " + rank + " reads exactly its shard");
            List<List<String>> again = new ArrayList<>();
            batches.forEach(b -> again.add(b.stream().map(Utterance::key).toList()));
            assertEquals(first, again, "the same arguments give the same batches");
        }
    }

    @Test
    void vocabularyAndOptionsAreStoredWithTheData() throws IOException {
        DatasetManifest manifest = DatasetManifest.read(out);
        assertEquals("char", manifest.tokenizer().type());
        List<String> units = Files.readAllLines(out.resolve("units.txt"));
        assertEquals(manifest.tokenizer().vocabSize(), units.size());
        assertEquals("<blank> 0", units.get(0));
        assertEquals(80, manifest.featureDim());
        assertEquals(0.0, ((Number) manifest.featureOptions().get("dither")).doubleValue());
        Map<String, Object> accounting = manifest.accounting();
        assertEquals(report.inputRows(), ((Number) accounting.get("input_rows")).longValue());
        assertTrue(Files.exists(out.resolve("global_cmvn.json")));
        Map<String, Integer> hist = new HashMap<>();
        report.rejectedByReason().forEach((k, v) -> hist.put(k, v.intValue()));
        assertEquals(hist.values().stream().mapToInt(Integer::intValue).sum(), (int) report.rejectedRows());
    }
}
