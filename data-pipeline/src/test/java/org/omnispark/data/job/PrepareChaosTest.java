package org.omnispark.data.job;

import org.omnispark.io.CommitFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;
import org.omnispark.data.reader.Utterance;

/**
 * A seeded chaos run of {@code prepare}, in the spirit of FoundationDB's simulation tests: the seed draws a schedule
 * of faults, the job runs under it, and invariants are checked at the end. Each seed makes one to three
 * {@code omnispark prepare} processes (local[2]) that are killed with SIGKILL at a random point (after a random number
 * of finished shards, or a random time, which can fall in planning, in a shard, in a marker write or in the publish
 * step); between them the state on disk is damaged the way a crash or a zombie can leave it (a truncated done marker,
 * a stranger's file in {@code shards/} and {@code _work/staged/}, a half-written temporary {@code dataset.json}); and
 * in half the seeds some audio files fail to open once or twice in every process ({@link FlakyFileSystem}). A last
 * run, in this JVM, finishes the job. Invariants: every manifest row is in exactly one place (one shard row or
 * one reject, by key); the dataset equals a fault-free run's (the same rows in the same shards, features, tokens,
 * bit-identical CMVN sums, the same accounting); no process is left.
 *
 * <p>CI runs the seeds of {@code -Dchaos.seeds} (default 1-2); the documented long run is
 * {@code mvn -pl data-pipeline test -Dtest=PrepareChaosTest -Dchaos.seeds=1-20}.
 */
class PrepareChaosTest {
    private static final String[] OVERRIDES = {"output.num_shards=6", "filters.min_confidence=0"};
    private static Path corpus;
    private static Path reference;
    private static SparkSession spark;

    @BeforeAll
    static void referenceRun(@TempDir Path tmp) throws IOException {
        corpus = TestCorpora.corpus(48, 31, 0.05);
        spark = TestCorpora.spark();
        reference = tmp.resolve("reference");
        run(reference);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static Stream<Long> seeds() {
        String spec = System.getProperty("chaos.seeds", "1-2");
        String[] range = spec.split("-");
        long from = Long.parseLong(range[0]);
        long to = range.length > 1 ? Long.parseLong(range[1]) : from;
        return java.util.stream.LongStream.rangeClosed(from, to).boxed();
    }

    private static void run(Path out) {
        run(out, manifest());
    }

    private static void run(Path out, String manifest) {
        PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest), OVERRIDES))
                .setOutput(out.toString()).build().run();
    }

    private static String manifest() {
        return corpus.resolve("manifest.jsonl").toString();
    }

    /**
     * A transient fault drawn from its own generator (the seed's earlier schedules stay as they were): some audio
     * files fail to open once or twice in every process (a throttled object store), read through {@code flaky://}.
     *
     * @return the Hadoop settings for it (empty: none this seed)
     */
    private static Map<String, String> transientlyUnreadable(long seed, List<String> schedule) throws IOException {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + 11);
        if (!random.nextBoolean()) {
            return Map.of();
        }
        List<String> lines = Files.readAllLines(corpus.resolve("manifest.jsonl"));
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String audio = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(random.nextInt(
                    lines.size()))).path("audio_filepath").asText();
            String name = Path.of(audio).getFileName().toString();
            if (failures.stream().noneMatch(f -> f.startsWith(name + ":"))) {
                failures.add(name + ":" + (1 + random.nextInt(2))); // at most 2: the third read succeeds
            }
        }
        schedule.add("transiently unreadable in every process: " + failures);
        return Map.of("fs.flaky.impl", FlakyFileSystem.class.getName(), "fs.flaky.impl.disable.cache", "true",
                "fs.flaky.failures", String.join(",", failures));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theDatasetOfAFaultyRunEqualsAFaultFreeOne(long seed, @TempDir Path tmp) throws Exception {
        Random random = new Random(seed);
        Path out = tmp.resolve("out");
        List<String> schedule = new ArrayList<>();
        Map<String, String> flaky = transientlyUnreadable(seed, schedule);
        String manifest = flaky.isEmpty() ? manifest() : "flaky://" + manifest();
        List<String> jvm = flaky.entrySet().stream().map(e -> "-Dspark.hadoop." + e.getKey() + "=" + e.getValue())
                .sorted().toList();
        int crashes = 1 + random.nextInt(3);
        for (int c = 0; c < crashes; c++) {
            Process child = TestCorpora.startMain(tmp.resolve("child-" + c + ".log"), jvm, args(out, manifest));
            boolean byShards = random.nextBoolean();
            int shards = random.nextInt(6);
            long millis = 3000 + random.nextInt(20_000);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long started = System.nanoTime();
            while (child.isAlive() && System.nanoTime() < deadline && (byShards ? markers(out) < shards
                    : System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(millis))) {
                Thread.sleep(5);
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child process ended");
            schedule.add("kill " + (byShards ? "after " + shards + " markers" : "after " + millis + " ms")
                    + " (" + markers(out) + " done)");
            if (Files.exists(out.resolve(DatasetManifest.FILE_NAME))) {
                schedule.add("the job had finished before the kill");
                break;
            }
            damage(out, random, schedule);
        }
        if (!Files.exists(out.resolve(DatasetManifest.FILE_NAME))) {
            org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            flaky.forEach(hadoop::set);
            FlakyFileSystem.FAILURES.clear();
            try {
                run(out, manifest); // the last run finishes the job
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).contains("run the same command again")) {
                    throw e;
                }
                schedule.add("the job asked to be run again: " + e.getMessage());
                run(out, manifest); // as the message says
            } finally {
                if (!flaky.isEmpty()) {
                    long opens = FlakyFileSystem.OPENS.entrySet().stream().filter(e -> flaky.get("fs.flaky.failures")
                            .contains(e.getKey() + ":")).mapToLong(e -> e.getValue().get()).sum();
                    schedule.add("the last run opened the unreadable files " + opens + " times");
                }
                flaky.keySet().forEach(hadoop::unset);
                FlakyFileSystem.FAILURES.clear();
                FlakyFileSystem.OPENS.clear();
            }
        }
        String what = "seed " + seed + ": " + schedule;
        System.out.println("prepare chaos " + what);

        assertExactlyOnce(spark, corpus.resolve("manifest.jsonl"), out, what);
        DatasetManifest a = DatasetManifest.read(reference);
        DatasetManifest b = DatasetManifest.read(out);
        assertEquals(a.accounting().get("rejected_by_reason"), b.accounting().get("rejected_by_reason"), what);
        assertEquals(a.accounting().get("output_rows"), b.accounting().get("output_rows"), what);
        assertArrayEquals(a.cmvn().sum(), b.cmvn().sum(), 0.0, what);
        assertArrayEquals(a.cmvn().sumSquares(), b.cmvn().sumSquares(), 0.0, what);
        Map<String, Utterance> ra = PrepareJobRerunTest.rows(reference);
        Map<String, Utterance> rb = PrepareJobRerunTest.rows(out);
        assertEquals(List.copyOf(ra.keySet()), List.copyOf(rb.keySet()), "the same rows in the same shards, " + what);
        for (String k : ra.keySet()) {
            assertArrayEquals(ra.get(k).features(), rb.get(k).features(), 0f, k + ", " + what);
            assertArrayEquals(ra.get(k).tokenIds(), rb.get(k).tokenIds(), k + ", " + what);
        }
        assertFalse(Files.exists(out.resolve(OutputCommitter.WORK)), what);
    }

    private static String[] args(Path out, String manifest) {
        List<String> args = new ArrayList<>(List.of("prepare", "--master", "local[2]", "--manifest", manifest,
                "--out", out.toString(), "--conf", TestCorpora.repoRoot().resolve("conf/data/prepare.yaml")
                        .toString()));
        args.addAll(List.of(OVERRIDES));
        return args.toArray(String[]::new);
    }

    /** What a crash or a zombie can leave behind, drawn from the seed. */
    private static void damage(Path out, Random random, List<String> schedule) throws IOException {
        Path done = out.resolve(OutputCommitter.WORK).resolve("done");
        if (random.nextInt(3) == 0 && Files.isDirectory(done)) {
            List<Path> markers = list(done);
            if (!markers.isEmpty()) {
                Path m = markers.get(random.nextInt(markers.size()));
                byte[] bytes = Files.readAllBytes(m);
                Files.write(m, java.util.Arrays.copyOf(bytes, bytes.length / 2));
                schedule.add("truncate " + m.getFileName());
            }
        }
        boolean started = Files.exists(out.resolve(OutputCommitter.WORK).resolve(OutputCommitter.PLAN));
        if (random.nextInt(3) == 0 && started) {
            Files.createDirectories(out.resolve("shards"));
            Files.writeString(out.resolve("shards/shard-00007-of-00008.parquet"), "a zombie's half-written file");
            Files.createDirectories(out.resolve(OutputCommitter.WORK).resolve("staged"));
            Files.writeString(out.resolve(OutputCommitter.WORK).resolve("staged/shard-00001-zombie.parquet"), "x");
            schedule.add("stranger files in shards/ and _work/staged/");
        }
        if (random.nextInt(3) == 0 && started) {
            Files.writeString(out.resolve(CommitFile.TEMP_PREFIX + DatasetManifest.FILE_NAME + "-dead"), "{\"form");
            schedule.add("a torn temporary dataset.json");
        }
    }

    /** Every row of the manifest is in exactly one place of the dataset {@code out} (a shard row or a reject), by key. */
    static void assertExactlyOnce(SparkSession spark, Path manifest, Path out, String what) throws IOException {
        Map<String, List<String>> places = new TreeMap<>();
        for (DatasetManifest.ShardInfo s : DatasetManifest.read(out).shards()) {
            try (ShardReader r = ShardReader.open(out.resolve(s.path()))) {
                r.forEachRemaining(u -> places.computeIfAbsent(u.key(), k -> new ArrayList<>()).add(s.path()));
            }
        }
        for (Row r : spark.read().parquet(out.resolve("rejects").toString()).select("key", "reason")
                .collectAsList()) {
            places.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add("reject " + r.getString(1));
        }
        List<String> keys = new ArrayList<>();
        for (String line : Files.readAllLines(manifest)) {
            keys.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).path("key").asText());
        }
        List<String> wrong = new ArrayList<>();
        for (String k : keys) {
            if (places.getOrDefault(k, List.of()).size() != 1) {
                wrong.add(k + " in " + places.get(k));
            }
        }
        assertEquals(List.of(), wrong, "each row in exactly one place, " + what);
        assertEquals(keys.size(), places.size(), "nothing placed that the manifest lacks, " + what);
    }

    private static long markers(Path out) throws IOException {
        Path done = out.resolve(OutputCommitter.WORK).resolve("done");
        return Files.isDirectory(done) ? list(done).size() : 0;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }
}
