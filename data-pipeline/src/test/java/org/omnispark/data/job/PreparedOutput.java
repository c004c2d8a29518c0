package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;
import org.omnispark.data.reader.Utterance;

/** What a prepare job wrote, read back for the prepare tests: shard rows and rejects by key. */
final class PreparedOutput {
    private PreparedOutput() {
    }

    /** Every shard row of the dataset at {@code out}, by key, read as the trainer reads it. */
    static Map<String, Utterance> utterances(Path out) throws IOException {
        Map<String, Utterance> rows = new TreeMap<>();
        for (DatasetManifest.ShardInfo s : DatasetManifest.read(out).shards()) {
            try (ShardReader r = ShardReader.open(out.resolve(s.path()))) {
                while (r.hasNext()) {
                    Utterance u = r.next();
                    rows.put(u.key(), u);
                }
            }
        }
        return rows;
    }

    /** The rejects table by key, each row as (key, reason, detail, source, line). */
    static Map<String, Row> rejects(SparkSession spark, Path out) {
        Map<String, Row> rejects = new TreeMap<>();
        for (Row r : spark.read().parquet(out.resolve("rejects").toString())
                .select("key", "reason", "detail", "source", "line").collectAsList()) {
            rejects.put(r.getString(0), r);
        }
        return rejects;
    }

    /**
     * Asserts that {@code rejects} (from {@link #rejects}) are exactly the expected ones, each given as {reason, a
     * phrase of its detail, source, 0-based line}.
     */
    static void assertRejects(Map<String, List<Object>> expected, Map<String, Row> rejects) {
        assertEquals(new TreeMap<>(expected).keySet(), rejects.keySet());
        expected.forEach((key, want) -> {
            Row r = rejects.get(key);
            assertEquals(want.get(0), r.getString(1), key + ": " + r.getString(2));
            assertTrue(r.getString(2).contains((String) want.get(1)), key + ": " + r.getString(2));
            assertEquals(want.get(2), r.getString(3), key);
            assertEquals(want.get(3), r.getLong(4), key);
        });
    }
}
