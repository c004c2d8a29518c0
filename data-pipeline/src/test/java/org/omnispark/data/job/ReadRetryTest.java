package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;

/**
 * Nothing is lost quietly: an I/O error while reading audio (here from {@link FlakyFileSystem}) is retried with
 * backoff; a transient one costs nothing, a lasting one fails the job with a message naming the key and the path,
 * instead of turning the row into a MISSING_AUDIO reject. A file that does not exist is still a reject.
 */
class ReadRetryTest {
    @AfterEach
    void reset() {
        FlakyFileSystem.FAILURES.clear();
        FlakyFileSystem.OPENS.clear();
    }

    private static PrepareReport run(SparkSession spark, Path manifest, Path out) {
        return PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest.toString()),
                "output.num_shards=1", "filters.min_confidence=0")).setOutput(out.toString()).build().run();
    }

    private static SparkSession flakySpark() {
        SparkSession spark = TestCorpora.spark();
        spark.sparkContext().hadoopConfiguration().set("fs.flaky.impl", FlakyFileSystem.class.getName());
        spark.sparkContext().hadoopConfiguration().setBoolean("fs.flaky.impl.disable.cache", true);
        return spark;
    }

    @Test
    void transientErrorsAreRetriedAndLastingOnesFailTheJobNamingTheFile(@TempDir Path tmp) throws Exception {
        Path corpus = TestCorpora.corpus(12, 5, 0.0);
        List<String> lines = Files.readAllLines(corpus.resolve("manifest.jsonl"));
        Path audio = corpus.resolve(new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0))
                .get("audio_filepath").asText());
        String name = audio.getFileName().toString();
        Path manifest = tmp.resolve("m.jsonl");
        Files.write(manifest, List.of(
                "{\"key\": \"flaky\", \"wav\": \"flaky://" + audio + "\", \"txt\": \"the box\"}",
                "{\"key\": \"gone\", \"wav\": \"flaky://" + tmp.resolve("nothing.wav") + "\", \"txt\": \"the box\"}"));
        SparkSession spark = flakySpark();
        try {
            FlakyFileSystem.FAILURES.put(name, new AtomicInteger(2));
            PrepareReport report = run(spark, manifest, tmp.resolve("ok"));
            assertEquals(1, report.acceptedRows(), "two failures, then the third read succeeds: " + report.summary());
            assertEquals(java.util.Map.of("MISSING_AUDIO", 1L), report.rejectedByReason());
            // the shard plan's header probe retries too (two failures, then a read), then processing reads it
            assertEquals(4, FlakyFileSystem.OPENS.get(name).get(), "opened four times");

            FlakyFileSystem.FAILURES.put(name, new AtomicInteger(-1));
            Exception e = assertThrows(Exception.class, () -> run(spark, manifest, tmp.resolve("fails")));
            String all = causes(e);
            assertTrue(all.contains("'flaky'") && all.contains(name) && all.contains("after 3 attempts"), all);
            assertFalse(Files.exists(tmp.resolve("fails").resolve(DatasetManifest.FILE_NAME)), "nothing published");
        } finally {
            spark.stop();
        }
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }
}
