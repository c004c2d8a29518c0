package org.omnispark.data.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.ingest.HfParquetRows;
import org.omnispark.data.ingest.ParsedLine;

/**
 * 600 damaged copies (seed 20261207) of the Hugging Face Parquet fixture (7 rows in 4 row groups), read by
 * {@link HfParquetRows}: bytes overwritten with random or hostile values (0, 0xFF, 0x7F: huge varints and sizes) in
 * the footer, the page headers and the data, cut short, or grown. Each read must end (within a second of CPU), throw
 * nothing (a damaged file is rows and one reject, never a failed task: nothing here is a file-system error), and
 * give rows at lines 0, 1, 2, ... followed by at most one damage reject, never more rows than the file had.
 */
class ParquetFuzzTest {
    private static final Path FIXTURE = Path.of("src/test/resources/hf/data/train-00000-of-00002.parquet");

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyDamagedFileGivesItsRowsAndAtMostOneReject(@TempDir Path dir) throws Exception {
        byte[] clean = Files.readAllBytes(FIXTURE);
        Random random = new Random(20261207L);
        Configuration conf = new Configuration();
        TreeMap<Integer, Integer> intactRows = new TreeMap<>();
        int damaged = 0;
        try (HfParquetRows warmUp = new HfParquetRows(FIXTURE.toUri().toString(), conf)) {
            warmUp.forEachRemaining(p -> { }); // class loading is not the decoder's time
        }
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 600; i++) {
            byte[] b = mutate(clean, random);
            Path file = dir.resolve("fuzz-" + i + ".parquet");
            Files.write(file, b);
            List<ParsedLine> rows = new ArrayList<>();
            long t0 = cpu.getCurrentThreadCpuTime();
            try (HfParquetRows reader = new HfParquetRows(file.toUri().toString(), conf)) {
                reader.forEachRemaining(rows::add);
            } catch (Throwable t) {
                fail("fuzz-" + i + " threw " + t, t);
            }
            double seconds = (cpu.getCurrentThreadCpuTime() - t0) / 1e9;
            assertTrue(seconds < 1.0, "fuzz-" + i + " took " + seconds + " s of CPU");
            int ok = 0;
            for (ParsedLine p : rows) {
                assertEquals(ok, p.line(), "fuzz-" + i + ": rows in order, none skipped: " + rows);
                if (p.keyHint().contains("@row ")) {
                    assertTrue(p == rows.get(rows.size() - 1), "fuzz-" + i + ": the damage reject is last");
                    damaged++;
                } else {
                    ok++;
                }
            }
            assertTrue(ok <= 7, "fuzz-" + i + ": " + ok + " rows from a 7-row file");
            intactRows.merge(ok, 1, Integer::sum);
        }
        System.out.println("parquet fuzz: files by rows read before the end or the damage " + intactRows + "; "
                + damaged + " of 600 ended in a damage reject");
        assertTrue(damaged > 150, "many mutants are damaged: " + damaged);
    }

    /** One damage: overwrite 1-16 bytes somewhere (often near the end: the footer), truncate, or append. */
    private static byte[] mutate(byte[] clean, Random r) {
        byte[] b = clean.clone();
        int kind = r.nextInt(10);
        if (kind == 0) {
            return java.util.Arrays.copyOf(b, r.nextInt(b.length));
        }
        if (kind == 1) {
            return java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(4096));
        }
        int runs = 1 + r.nextInt(3);
        for (int k = 0; k < runs; k++) {
            int at = kind < 6 ? b.length - 1 - r.nextInt(Math.min(b.length, 2048)) : r.nextInt(b.length);
            int len = 1 + r.nextInt(16);
            byte fill = switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> (byte) 0xFF;
                case 2 -> 0x7F;
                default -> (byte) r.nextInt(256);
            };
            boolean random = r.nextBoolean();
            for (int j = at; j < Math.min(b.length, at + len); j++) {
                b[j] = random ? (byte) r.nextInt(256) : fill;
            }
        }
        return b;
    }
}
