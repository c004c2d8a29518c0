package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.audio.Mp3Fixtures;
import org.omnispark.data.audio.OggFixtures;
import org.omnispark.data.audio.WebmFixtures;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.tools.RequiredTools;

/**
 * audio.external_decoder reaches the decoder where prepare decodes (UtteranceProcessor): with ffmpeg the Vorbis rows
 * (Ogg and WebM) are accepted; with none, or a path where there is no ffmpeg, they are UNSUPPORTED_AUDIO rejects that
 * name the setting; a decoder that hangs is a TIMEOUT reject within the utterance's budget (audio.timeout_s). The
 * config rejects a blank value.
 */
class ExternalDecoderConfigTest {
    @TempDir
    Path tmp;

    private Row process(Path audio, String... overrides) {
        ManifestEntry e = new ManifestEntry("utt", audio.toString(), Mp3Fixtures.TEXT_A, null, null, null, null, 0,
                -1, "test", 0);
        UtteranceProcessor p = UtteranceProcessor.forPartition(TestCorpora.recipe(TestCorpora.config(List.of(),
                overrides), List.of(e)));
        return p.process(e).get(0);
    }

    private static String reason(Row r) {
        return r.isNullAt(ProcessedRows.REJECT_REASON) ? "accepted" : r.getString(ProcessedRows.REJECT_REASON) + ": "
                + r.getString(ProcessedRows.REJECT_REASON + 1);
    }

    @Test
    void theSettingDecidesHowVorbisRowsEnd() throws Exception {
        Path ogg = tmp.resolve("a.ogg");
        Files.write(ogg, OggFixtures.bytes(OggFixtures.VORBIS));
        Path webm = tmp.resolve("a.webm");
        Files.write(webm, WebmFixtures.bytes(WebmFixtures.VORBIS));
        for (Path f : List.of(ogg, webm)) {
            String off = reason(process(f, "audio.external_decoder=none"));
            assertTrue(off.startsWith("UNSUPPORTED_AUDIO") && off.contains("audio.external_decoder is 'none'"), off);
            String missing = reason(process(f, "audio.external_decoder=/nonexistent/ffmpeg"));
            assertTrue(missing.startsWith("UNSUPPORTED_AUDIO") && missing.contains("install ffmpeg on every"
                    + " executor"), missing);
        }
        Path sleeper = tmp.resolve("sleeper");
        Files.writeString(sleeper, "#!/bin/sh\nexec sleep 60\n");
        Files.setPosixFilePermissions(sleeper, PosixFilePermissions.fromString("rwx------"));
        long t0 = System.nanoTime();
        String slow = reason(process(ogg, "audio.external_decoder=" + sleeper, "audio.timeout_s=0.5",
                "audio.timeout_per_mb_s=0"));
        assertTrue(slow.startsWith("TIMEOUT") && slow.contains("audio.timeout_s"), slow);
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the hanging decoder was not killed at the deadline");
        assertThrows(IllegalArgumentException.class, () -> new PrepareConfig.AudioSection(null, null, null, null,
                null, null, null, " "));
        RequiredTools.require("ffmpeg");
        assertEquals("accepted", reason(process(ogg)));
        assertEquals("accepted", reason(process(webm, "audio.external_decoder=ffmpeg")));
    }
}
