package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prepare} shows the shard stage's progress: shards and utterances done, the rate, the time left. */
class PrepareProgressTest {

    @Test
    void everyShardEndIsCountedAndTheLastLineHasTheTotals(@TempDir Path tmp) throws Exception {
        String manifest = TestCorpora.corpus(12, 5, 0.0).resolve("manifest.jsonl").toString();
        SparkSession spark = TestCorpora.spark();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            PrepareReport report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(manifest), "output.num_shards=3"))
                    .setOutput(tmp.resolve("d").toString())
                    .optProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0).build().run();
            List<String> lines = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
                    .filter(l -> l.startsWith("prepare: ")).toList();
            long planned = report.acceptedRows() + report.rejectedRows();
            assertTrue(lines.size() >= 4, "a line per shard end (interval 0) and the last: " + lines);
            for (int done = 1; done <= 3; done++) {
                String prefix = "prepare: " + done + " of 3 shards done";
                assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix)), prefix + " in " + lines);
            }
            String last = lines.get(lines.size() - 1);
            assertTrue(last.matches("prepare: 3 of 3 shards done, " + planned + " of " + planned
                    + " utterances, \\d+ utterances/s, \\d+ s"), last);
        } finally {
            spark.stop();
        }
    }

    @Test
    void durationsReadAsAPersonWouldSayThem() {
        assertEquals("42 s", PrepareProgress.duration(41.6));
        assertEquals("2 min 5 s", PrepareProgress.duration(125));
        assertEquals("3 h 20 min", PrepareProgress.duration(3 * 3600 + 20 * 60 + 7));
    }
}
