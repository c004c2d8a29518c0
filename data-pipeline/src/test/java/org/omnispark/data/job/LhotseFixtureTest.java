package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.tools.RequiredTools;

/**
 * The checked-in Lhotse fixture is what its script makes: make_lhotse_fixture.py, run again into a new folder, writes
 * the same WAV and plain files byte for byte, and gzip files with the same content (their compressed bytes depend on
 * the zlib at hand).
 */
class LhotseFixtureTest {
    static final List<String> FILES = List.of("audio/speech.wav", "audio/rec-long.wav", "audio/split-ch0.wav",
            "audio/split-ch1.wav", "audio/stereo.wav", "fixture_recordings_dev.jsonl", "fixture_cuts_dev.jsonl.gz",
            "fixture_supervisions_dev.jsonl.gz");

    @Test
    void regeneratingGivesTheCheckedInFixture(@TempDir Path tmp) throws IOException, InterruptedException {
        RequiredTools.require("python3");
        Path fixture = LhotsePrepareTest.FIXTURE;
        RequiredTools.run("python3", fixture.resolve("make_lhotse_fixture.py").toString(), tmp.toString());
        try (var made = Files.walk(tmp)) {
            assertEquals(FILES.size(), made.filter(Files::isRegularFile).count(), "the script writes these files: "
                    + FILES);
        }
        for (String f : FILES) {
            assertArrayEquals(content(fixture.resolve(f)), content(tmp.resolve(f)), f + " differs from what "
                    + "make_lhotse_fixture.py writes: run it again and check in its output");
        }
    }

    private static byte[] content(Path p) throws IOException {
        if (!p.toString().endsWith(".gz")) {
            return Files.readAllBytes(p);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }
}
