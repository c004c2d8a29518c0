package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;

/**
 * {@code omnispark prepare --manifest-format} in its own JVM (the command owns its SparkSession): {@code lhotse} on
 * the checked-in CutSet fixture reaches the job and the effective config; an unknown value is refused, naming the
 * valid ones, before Spark starts.
 */
class PrepareCommandLhotseTest {
    @TempDir
    Path tmp;

    private static int run(Path log, String... args) throws Exception {
        Process p = TestCorpora.startMain(log, args);
        assertTrue(p.waitFor(4, TimeUnit.MINUTES), "prepare did not finish in 4 minutes: " + Files.readString(log));
        return p.exitValue();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void manifestFormatReachesTheJob() throws Exception {
        Path out = tmp.resolve("ds");
        Path log = tmp.resolve("prepare.log");
        int code = run(log, "prepare", "--master", "local[1]", "--manifest", LhotsePrepareTest.CUTS,
                "--manifest-format", "lhotse", "--out", out.toString(), "output.num_shards=1");
        assertEquals(0, code, Files.readString(log));
        assertTrue(Files.readString(log).contains("input.manifest_format = lhotse"), Files.readString(log));
        JsonNode ds = new ObjectMapper().readTree(Files.readString(out.resolve(DatasetManifest.FILE_NAME)));
        // The cuts file alone: 11 rows, of which sup-a, sup-b, sup-c, cut-nosupid and sup-split are usable.
        assertEquals(11, ds.get("accounting").get("input_rows").asLong(), ds.get("accounting").toString());
        assertEquals(5, ds.get("accounting").get("accepted_rows").asLong(), ds.get("accounting").toString());

        Path bad = tmp.resolve("bad.log");
        code = run(bad, "prepare", "--manifest", LhotsePrepareTest.CUTS, "--manifest-format", "nemo", "--out",
                tmp.resolve("ds2").toString());
        assertEquals(2, code, Files.readString(bad));
        assertTrue(Files.readString(bad).contains("--manifest-format: unknown manifest format 'nemo': use one of "
                + "auto, jsonl, kaldi, lhotse"), Files.readString(bad));
        assertFalse(Files.exists(tmp.resolve("ds2")), "nothing written");
    }
}
