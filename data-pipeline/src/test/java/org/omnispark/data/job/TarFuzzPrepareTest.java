package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * The prepare job on local[2] against 30 damaged copies of the fixture's WeNet shard_000000.tar (seed 3): 12 cut at
 * random lengths, 12 with one bit flipped in a member header, 6 with bytes flipped anywhere, read as a folder of
 * WebDataset tars, beside the loose fixture files as controls. The job must finish within the limit, account for every
 * row, accept every control, and reject a header flip as damage at exactly that header's offset.
 */
class TarFuzzPrepareTest {
    /** Member header offsets of shard_000000.tar (Python's tarfile listing, see make_tar_fixture.py). */
    static final long[] HEADERS = {0, 23040, 24064, 47104, 48128, 71168, 72192, 95232};
    static final Set<String> REASONS = Set.of("MALFORMED_MANIFEST_LINE", "MISSING_AUDIO", "CORRUPT_AUDIO",
            "TRUNCATED_AUDIO", "UNSUPPORTED_AUDIO", "TOO_SHORT", "TOO_LONG", "TOKEN_RATE_OUT_OF_RANGE",
            "DUPLICATE_KEY", "GARBAGE_TRANSCRIPT", "EMPTY_TRANSCRIPT");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void damagedTarsNeverStopTheJobNorLoseARow(@TempDir Path tmp) throws Exception {
        byte[] good = Files.readAllBytes(TarPrepareTest.FIXTURE.resolve("wenet/shards/shard_000000.tar"));
        Path dir = Files.createDirectories(tmp.resolve("tars"));
        Random rnd = new Random(3);
        Map<String, Long> flippedHeader = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            byte[] m;
            String name = String.format("m-%02d.tar", i);
            if (i < 12) {
                m = Arrays.copyOf(good, rnd.nextInt(good.length));
            } else if (i < 24) {
                m = good.clone();
                long at = HEADERS[rnd.nextInt(HEADERS.length)];
                m[(int) at + rnd.nextInt(512)] ^= (byte) (1 << rnd.nextInt(8));
                flippedHeader.put("file:" + dir.resolve(name), at);
            } else {
                m = good.clone();
                for (int k = 0; k < 20; k++) {
                    m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            Files.write(dir.resolve(name), m);
        }
        Path out = tmp.resolve("ds");
        try (SparkSession spark = TestCorpora.spark()) {
            PrepareReport report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(dir.toString(), TarPrepareTest.LOOSE),
                            "output.num_shards=2"))
                    .setOutput(out.toString()).optProgress(new java.io.PrintStream(java.io.OutputStream
                            .nullOutputStream()), 60).build().run();
            assertEquals(report.inputRows(), report.acceptedRows() + report.rejectedRows(), report.summary());
            List<String> accepted = new ArrayList<>();
            for (Row r : spark.read().parquet(out.resolve("shards").toString()).select("key").collectAsList()) {
                accepted.add(r.getString(0));
            }
            for (String control : List.of("l-speech", "l-half", "l-mp3", "l-flac")) {
                assertTrue(accepted.contains(control), control + " (a loose file) was not accepted");
            }
            Map<String, List<String>> damagePerTar = new TreeMap<>();
            for (Row r : spark.read().parquet(out.resolve("rejects").toString())
                    .select("key", "reason", "detail", "source").collectAsList()) {
                assertTrue(REASONS.contains(r.getString(1)), r.getString(0) + ": " + r.getString(1));
                if (r.getString(0).startsWith(r.getString(3) + "@")) {
                    damagePerTar.computeIfAbsent(r.getString(3), k -> new ArrayList<>()).add(r.getString(0));
                    assertTrue(r.getString(2).contains("is damaged at byte"), r.getString(2));
                }
            }
            flippedHeader.forEach((tar, at) -> assertEquals(List.of(tar + "@" + at), damagePerTar.get(tar),
                    "one damage reject at the flipped header"));
            damagePerTar.values().forEach(d -> assertEquals(1, d.size(), "one damage reject per tar: " + d));
        }
    }
}
