package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Progress reaches the driver through Spark while the task still runs (executor heartbeats carry the accumulator),
 * each record once, and the end of the task brings the rest.
 */
class RankProgressTest {
    /** Set when the driver's console printed step 1 (local mode: the task and the driver share this JVM). */
    static final AtomicBoolean SHOWN = new AtomicBoolean();

    static String record(int step) {
        return "{\"step\":" + step + ",\"epoch\":0,\"loss\":" + (10.0 / step) + ",\"lr\":0.001,\"tokens_per_s\":100.0,"
                + "\"rank0/step_s\":0.5,\"rank0/compute_s\":0.4,\"rank1/step_s\":0.7,\"rank1/compute_s\":0.6}";
    }

    @Test
    @Timeout(120)
    void recordsArriveWithHeartbeatsWhileTheTaskRuns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(bytes, true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                super.println(line);
                if (line.startsWith("step 1 |")) {
                    SHOWN.set(true);
                }
            }
        };
        // a session left by an earlier test class would be reused without this test's heartbeat interval
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.clearDefaultSession();
        SparkSession.clearActiveSession();
        SparkSession spark = SparkSession.builder().master("local[1]").appName("rank-progress")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.executor.heartbeatInterval", "300ms")
                .getOrCreate();
        try (RankProgress progress = RankProgress.start(spark.sparkContext(), console)) {
            RankProgress.Records records = progress.accumulator();
            List<Boolean> seenWhileRunning = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(List.of(0), 1).map(x -> {
                        records.add(record(1));
                        long deadline = System.currentTimeMillis() + 30_000;
                        while (!SHOWN.get() && System.currentTimeMillis() < deadline) {
                            Thread.sleep(50);
                        }
                        boolean seen = SHOWN.get();
                        for (int step = 2; step <= 100; step++) {
                            records.add(record(step));
                        }
                        return seen;
                    }).collect();
            assertTrue(seenWhileRunning.get(0), "the driver printed step 1 before the task ended (a heartbeat)");
        } finally {
            spark.stop();
        }
        List<String> lines = Arrays.asList(bytes.toString(StandardCharsets.UTF_8).split("\n"));
        assertEquals(1, lines.stream().filter(l -> l.startsWith("step 1 |")).count(), "each record once: " + lines);
        assertTrue(lines.contains("step 100 | loss 0.1000 | lr 1.00e-03 | 100 frames/s | slowest rank 1: 0.70s = "
                + "compute 0.60, dispatch 0.00, combine 0.00, all-reduce 0.00, wait 0.00"), String.join("\n", lines));
        long skipped = lines.stream().filter(l -> l.matches("\\(\\d+ progress records skipped.*"))
                .mapToLong(l -> Long.parseLong(l.substring(1, l.indexOf(' ')))).sum();
        long shown = lines.stream().filter(l -> l.startsWith("step ")).count();
        assertEquals(100, shown + skipped, "every record shown once or counted as skipped: " + lines);
        assertTrue(skipped > 0, "100 records in a burst overflow the " + RankProgress.KEEP + " kept: " + lines);
        assertEquals(lines.stream().filter(l -> l.startsWith("step ")).distinct().count(), shown, "no duplicates");
    }
}
