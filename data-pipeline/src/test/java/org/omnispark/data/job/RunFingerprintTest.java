package org.omnispark.data.job;

import org.omnispark.cli.Version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes a crashed prepare run resumable: the same config, manifests and OmniSpark build. Another version or
 * commit may featurize differently, so its leftovers are not resumed.
 */
class RunFingerprintTest {

    @Test
    void theVersionAndCommitArePartOfTheFingerprint(@TempDir Path tmp) throws Exception {
        Path manifest = tmp.resolve("m.jsonl");
        Files.writeString(manifest, "{\"key\": \"a\", \"wav\": \"a.wav\", \"txt\": \"x\"}\n");
        PrepareConfig config = TestCorpora.config(List.of(manifest.toString()));
        Configuration conf = new Configuration();
        String v1 = RunFingerprint.of(config, conf, "omnispark 0.1.0 (commit aaaaaaa)");
        assertEquals(v1, RunFingerprint.of(config, conf, "omnispark 0.1.0 (commit aaaaaaa)"));
        assertNotEquals(v1, RunFingerprint.of(config, conf, "omnispark 0.1.0 (commit bbbbbbb)"));
        assertNotEquals(v1, RunFingerprint.of(config, conf, "omnispark 0.2.0 (commit aaaaaaa)"));
        assertEquals(RunFingerprint.of(config, conf, Version.describe()), RunFingerprint.of(config, conf));
    }

    @Test
    void bothFilesOfALhotsePairArePartOfTheFingerprint(@TempDir Path tmp) throws Exception {
        Path sups = tmp.resolve("c_supervisions_dev.jsonl");
        Path recs = tmp.resolve("c_recordings_dev.jsonl");
        Files.writeString(sups, "{\"id\": \"s\", \"recording_id\": \"r\", \"start\": 0, \"duration\": 1, "
                + "\"text\": \"x\"}\n");
        Files.writeString(recs, "{\"id\": \"r\", \"sources\": [{\"type\": \"file\", \"channels\": [0], "
                + "\"source\": \"r.wav\"}]}\n");
        // Only the supervisions are named; a changed recordings file must still start the run over.
        PrepareConfig config = TestCorpora.config(List.of(sups.toString()));
        Configuration conf = new Configuration();
        String before = RunFingerprint.of(config, conf, "v");
        Files.writeString(recs, "{\"id\": \"r\", \"sources\": [{\"type\": \"file\", \"channels\": [0], "
                + "\"source\": \"other.wav\"}]}\n");
        assertNotEquals(before, RunFingerprint.of(config, conf, "v"), "the recordings file's length changed");
    }
}
