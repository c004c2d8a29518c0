package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;

/**
 * The silent failure a user found: one audio file was unreadable during the first {@code prepare}, the run was killed
 * after some shards were finished, the file came back, and the same command resumed. Planning again from the new
 * durations moved every row one slot, while the finished shards kept the old assignment: rows in two shards and rows
 * in none, with totals that still added up. Now the plan is saved once and a resume reuses it, and the job checks
 * every row by identity before publishing.
 */
class PrepareExactlyOnceTest {
    private static final String[] OVERRIDES = {"output.num_shards=6", "filters.min_confidence=0"};

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aFileThatComesBackBeforeTheResumeLeavesEveryRowInExactlyOnePlace(@TempDir Path tmp) throws Exception {
        Path corpus = copy(TestCorpora.corpus(48, 21, 0.0), tmp.resolve("corpus"));
        String manifest = corpus.resolve("manifest.jsonl").toString();
        // The longest utterance is dealt first: planned at 0 s while it is missing, it shifts every other row.
        JsonNode longest = TestCorpora.truth(corpus).values().stream()
                .max(java.util.Comparator.comparingDouble(n -> n.get("duration").asDouble())).orElseThrow();
        Path audio = audioOf(corpus, longest.get("key").asText());
        Path away = tmp.resolve("away");
        Files.move(audio, away);

        Path out = tmp.resolve("out");
        List<String> args = new ArrayList<>(List.of("prepare", "--master", "local[2]", "--manifest", manifest,
                "--out", out.toString(), "--conf", TestCorpora.repoRoot().resolve("conf/data/prepare.yaml")
                        .toString()));
        args.addAll(List.of(OVERRIDES));
        Process child = TestCorpora.startMain(tmp.resolve("child.log"), args.toArray(String[]::new));
        Path done = out.resolve("_work/done");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (finished(done) < 3 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        long saved = finished(done);
        assertTrue(saved >= 3 && saved < 6, saved + " shards finished before the kill: "
                + Files.readString(tmp.resolve("child.log")));
        Files.move(away, audio); // the file is back

        SparkSession spark = TestCorpora.spark();
        try {
            PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest), OVERRIDES))
                    .setOutput(out.toString()).build().run();
            DatasetManifest m = DatasetManifest.read(out);
            assertEquals(saved, ((Number) m.accounting().get("shards_resumed")).longValue());

            Map<String, List<String>> places = new TreeMap<>();
            for (DatasetManifest.ShardInfo s : m.shards()) {
                try (ShardReader r = ShardReader.open(out.resolve(s.path()))) {
                    r.forEachRemaining(u -> places.computeIfAbsent(u.key(), k -> new ArrayList<>()).add(s.path()));
                }
            }
            for (Row r : spark.read().parquet(out.resolve("rejects").toString()).select("key", "reason")
                    .collectAsList()) {
                places.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add("reject " + r.getString(1));
            }
            List<String> keys = new ArrayList<>(TestCorpora.truth(corpus).keySet());
            List<String> wrong = new ArrayList<>();
            for (String k : keys) {
                if (places.getOrDefault(k, List.of()).size() != 1) {
                    wrong.add(k + " in " + places.get(k));
                }
            }
            assertEquals(List.of(), wrong, "each row in exactly one place");
            assertEquals(keys.size(), places.size(), "nothing placed that the manifest lacks");
        } finally {
            spark.stop();
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.writeString(t, "");
                    Files.copy(f, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path manifest = to.resolve("manifest.jsonl");
        Files.writeString(manifest, Files.readString(manifest).replace(from.toString(), to.toString()));
        return to;
    }

    private static Path audioOf(Path corpus, String key) throws IOException {
        for (String line : Files.readAllLines(corpus.resolve("manifest.jsonl"))) {
            JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            if (n.get("key").asText().equals(key)) {
                Path p = Path.of(n.get("audio_filepath").asText());
                return p.isAbsolute() ? p : corpus.resolve(p);
            }
        }
        throw new IllegalStateException("no manifest row " + key);
    }

    private static long finished(Path done) throws IOException {
        if (!Files.isDirectory(done)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(done)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }
}
