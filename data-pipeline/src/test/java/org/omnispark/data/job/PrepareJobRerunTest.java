package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;
import org.omnispark.data.reader.Utterance;

/** Re-runs after a crash, determinism, overwrite rules and speed perturbation. */
class PrepareJobRerunTest {
    private static SparkSession spark;
    private static String manifest;

    @BeforeAll
    static void setUp() throws IOException {
        manifest = TestCorpora.corpus(12, 5, 0.0).resolve("manifest.jsonl").toString();
        spark = TestCorpora.spark();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static PrepareReport run(Path out, boolean overwrite, String... overrides) {
        return PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest), overrides))
                .setOutput(out.toString()).optOverwrite(overwrite).build().run();
    }

    /** key -> features of every shard row, in shard order. */
    static Map<String, Utterance> rows(Path dataset) {
        Map<String, Utterance> rows = new TreeMap<>();
        for (DatasetManifest.ShardInfo s : DatasetManifest.read(dataset).shards()) {
            try (ShardReader r = ShardReader.open(dataset.resolve(s.path()))) {
                r.forEachRemaining(u -> rows.put(s.path() + "/" + u.key(), u));
            }
        }
        return rows;
    }

    @Test
    void aRerunAfterACrashGivesTheSameDatasetAndCleansUp(@TempDir Path tmp) throws IOException {
        Path first = tmp.resolve("first");
        run(first, false, "output.num_shards=2");
        // What a crash after featurizing leaves behind: the run's work and half-written shards, no dataset.json.
        Path second = tmp.resolve("second");
        run(second, false, "output.num_shards=2");
        Files.delete(second.resolve(DatasetManifest.FILE_NAME));
        Files.writeString(second.resolve("shards/shard-00000-of-00002.parquet"), "half-written");
        Files.createDirectories(second.resolve("_work"));
        Files.writeString(second.resolve("_work/plan.json"), "a crashed run with other inputs");
        PrepareReport report = run(second, false, "output.num_shards=2");
        try (var files = Files.list(second)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().equals("_work")), "no work is left");
        }
        Map<String, Utterance> a = rows(first);
        Map<String, Utterance> b = rows(second);
        assertEquals(a.keySet(), b.keySet(), "same rows in the same shards");
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).features(), b.get(k).features(), 0f, k);
            assertArrayEquals(a.get(k).tokenIds(), b.get(k).tokenIds(), k);
        }
        assertEquals(report.acceptedRows(), a.size());
    }

    @Test
    void anExistingDatasetIsReplacedOnlyWithOverwrite(@TempDir Path tmp) {
        Path out = tmp.resolve("ds");
        run(out, false, "output.num_shards=1");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> run(out, false, "output.num_shards=1"));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        run(out, true, "output.num_shards=2");
        assertEquals(2, DatasetManifest.read(out).shards().size(), "the second run's dataset replaced the first");
    }

    @Test
    void aSentencePieceModelIsTrainedOnTheCorpusAndSavedWithTheData(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("spm");
        run(out, false, "output.num_shards=1", "text.tokenizer=sentencepiece", "text.sentencepiece_vocab_size=60");
        DatasetManifest m = DatasetManifest.read(out);
        assertEquals("sentencepiece", m.tokenizer().type());
        assertTrue(Files.exists(out.resolve(m.tokenizer().modelFile())), "the .model is saved with the data");
        org.omnispark.data.text.Tokenizer tokenizer = org.omnispark.data.text.Tokenizers.load(out);
        assertEquals(m.tokenizer().vocabSize(), tokenizer.vocabSize());
        for (Utterance u : rows(out).values()) {
            assertEquals(u.text(), tokenizer.decode(u.tokenIds()), "token ids decode to the text of " + u.key());
            assertTrue(u.tokenIds().length < u.text().length(), "subwords are fewer than characters: " + u.key());
        }
    }

    @Test
    void aTestSetReusesTheTrainingVocabulary(@TempDir Path tmp) throws IOException {
        Path train = tmp.resolve("train");
        run(train, false, "output.num_shards=1", "text.char_min_count=3");
        Path test = tmp.resolve("test");
        run(test, false, "output.num_shards=1", "text.vocabulary_from=" + train);
        assertEquals(Files.readAllLines(train.resolve("units.txt")), Files.readAllLines(test.resolve("units.txt")),
                "the test set's units.txt is the training set's");
    }

    @Test
    void speedPerturbationAddsCopiesWithScaledDurations(@TempDir Path tmp) {
        Path plain = tmp.resolve("plain");
        Path perturbed = tmp.resolve("perturbed");
        PrepareReport p = run(plain, false, "output.num_shards=1");
        PrepareReport q = run(perturbed, false, "output.num_shards=2", "audio.speed_perturb=[0.9,1.1]");
        assertEquals(p.acceptedRows(), q.acceptedRows(), "the same input rows are accepted");
        assertEquals(2 * q.acceptedRows(), q.speedPerturbedRows(), "two copies per accepted row");
        assertEquals(3 * q.acceptedRows(), q.outputRows());
        Map<String, Double> durations = new TreeMap<>();
        rows(perturbed).values().forEach(u -> durations.put(u.key(), u.duration()));
        for (Utterance u : rows(plain).values()) {
            // A speed factor f plays the audio f times faster: duration / f (to within one sample rounding).
            assertEquals(u.duration() / 0.9, durations.get("sp0.9-" + u.key()), 2e-4, u.key() + " at 0.9");
            assertEquals(u.duration() / 1.1, durations.get("sp1.1-" + u.key()), 2e-4, u.key() + " at 1.1");
            assertEquals(u.duration(), durations.get(u.key()), 0.0, u.key());
        }
    }
}
