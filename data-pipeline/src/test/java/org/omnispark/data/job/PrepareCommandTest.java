package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * Each flag of {@code omnispark prepare} changes what it says (its own JVM, since the command owns and stops its
 * SparkSession): {@code --manifest} twice reads both corpora, {@code --conf} and key=value overrides reach the
 * job (an override wins over the file), {@code --master} is the Spark master the job runs on, {@code --out} is where
 * the dataset lands. {@code --overwrite}: PrepareJobRerunTest and OutputCommitterTest.
 */
class PrepareCommandTest {
    @TempDir
    Path tmp;

    private int prepare(Path log, String... args) throws Exception {
        Process p = TestCorpora.startMain(log, args);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "prepare did not finish in 5 minutes: " + Files.readString(log));
        return p.exitValue();
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void flagsReachTheJob() throws Exception {
        Path a = TestCorpora.corpus(6, 21, 0);
        Path b = TestCorpora.corpus(5, 22, 0);
        Path conf = tmp.resolve("prepare.yaml");
        Files.writeString(conf, "output:\n  num_shards: 3\nfbank:\n  num_mel_bins: 40\n");
        Path out = tmp.resolve("ds");
        Path log = tmp.resolve("prepare.log");
        int code = prepare(log, "prepare", "--master", "local[1]", "--manifest", a.resolve("manifest.jsonl")
                .toString(), "--manifest", b.resolve("manifest.jsonl").toString(), "--out", out.toString(),
                "--conf", conf.toString(), "fbank.num_mel_bins=24", "filters.min_confidence=0");
        assertEquals(0, code, Files.readString(log));
        JsonNode ds = new ObjectMapper().readTree(Files.readString(out.resolve(DatasetManifest.FILE_NAME)));
        assertEquals(11, ds.get("accounting").get("input_rows").asLong(), "--manifest twice: 6 + 5 rows: " + ds
                .get("accounting"));
        assertEquals(3, ds.get("shards").size(), "--conf: output.num_shards 3 from the file");
        assertEquals(24, ds.get("feature_dim").asInt(), "the override wins over the file's 40 mel bins");
        assertEquals(0.0, ds.get("config").get("filters").get("min_confidence").asDouble(), 0);
        assertTrue(Files.readString(log).contains("local[1]"), "the effective settings name the master: "
                + Files.readString(log));

        Path bad = tmp.resolve("bad.log");
        code = prepare(bad, "prepare", "--master", "nonsense://nowhere", "--manifest", a.resolve("manifest.jsonl")
                .toString(), "--out", tmp.resolve("ds2").toString());
        assertNotEquals(0, code, Files.readString(bad));
        assertTrue(Files.readString(bad).contains("nonsense://nowhere"), "--master reaches Spark: "
                + Files.readString(bad));
        assertTrue(!Files.exists(tmp.resolve("ds2").resolve(DatasetManifest.FILE_NAME)), "nothing published");
    }
}
