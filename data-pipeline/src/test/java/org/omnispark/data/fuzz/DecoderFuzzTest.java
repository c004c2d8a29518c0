package org.omnispark.data.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.Deadline;
import org.omnispark.data.RejectReason;
import org.omnispark.data.audio.AudioDecoder;
import org.omnispark.data.audio.AudioFormatException;
import org.omnispark.data.audio.DecodeLimits;

/**
 * 4000 damaged WAV, FLAC, MP3, Ogg Opus and WebM/Matroska Opus files (seed 20261201) straight into the decoder: each must decode or fail
 * with an {@link AudioFormatException}, nothing else (no other exception, no OutOfMemoryError, no endless loop: the
 * whole run has a time limit, and no single file may take longer than a second).
 */
class DecoderFuzzTest {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyDamagedFileDecodesOrFailsCleanly(@TempDir Path dir) throws Exception {
        List<byte[]> seeds = FuzzSeeds.bytes(FuzzSeeds.write(dir));
        List<AudioFuzzer.Mutant> mutants = new AudioFuzzer(20261201L).mutate(seeds, 4000);
        Map<RejectReason, Integer> reasons = new EnumMap<>(RejectReason.class);
        Map<RejectReason, Integer> mp3Reasons = new EnumMap<>(RejectReason.class);
        Map<RejectReason, Integer> oggReasons = new EnumMap<>(RejectReason.class);
        Map<RejectReason, Integer> webmReasons = new EnumMap<>(RejectReason.class);
        int mp3Decoded = 0;
        int oggDecoded = 0;
        int webmDecoded = 0;
        int decoded = 0;
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (AudioFuzzer.Mutant m : mutants) {
            long t0 = cpu.getCurrentThreadCpuTime();
            try {
                AudioDecoder.decode(m.bytes(), m.name(), 0, -1, new DecodeLimits(60,
                        Deadline.afterSeconds(5, "decoding " + m.name())));
                decoded++;
                mp3Decoded += m.name().startsWith("fuzz-mp3") ? 1 : 0;
                oggDecoded += m.name().startsWith("fuzz-ogg") ? 1 : 0;
                webmDecoded += m.name().startsWith("fuzz-webm") ? 1 : 0;
            } catch (AudioFormatException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
                if (m.name().startsWith("fuzz-mp3")) {
                    mp3Reasons.merge(e.reason(), 1, Integer::sum);
                }
                if (m.name().startsWith("fuzz-ogg")) {
                    oggReasons.merge(e.reason(), 1, Integer::sum);
                }
                if (m.name().startsWith("fuzz-webm")) {
                    webmReasons.merge(e.reason(), 1, Integer::sum);
                }
                assertTrue(e.getMessage().contains(m.name()), "the message names the file: " + e.getMessage());
            } catch (Throwable t) {
                fail(m.name() + " (" + m.damage() + ") threw " + t, t);
            }
            // CPU time of this thread, not wall time: a busy machine (CI, other builds) must not fail the bound
            double seconds = (cpu.getCurrentThreadCpuTime() - t0) / 1e9;
            assertTrue(seconds < 1, m.name() + " (" + m.damage() + ") took " + seconds + " s of CPU");
        }
        System.out.println("decoder fuzz: " + decoded + " decoded, rejected " + reasons + "; of them MP3: "
                + mp3Decoded + " decoded, rejected " + mp3Reasons + "; of them Ogg Opus: " + oggDecoded + " decoded,"
                + " rejected " + oggReasons + "; of them WebM Opus: " + webmDecoded + " decoded, rejected "
                + webmReasons);
        assertEquals(4000, decoded + reasons.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(reasons.getOrDefault(RejectReason.CORRUPT_AUDIO, 0) > 100, "damage is detected: " + reasons);
        assertTrue(reasons.getOrDefault(RejectReason.TRUNCATED_AUDIO, 0) > 100, "cuts are detected: " + reasons);
        assertTrue(mp3Reasons.getOrDefault(RejectReason.CORRUPT_AUDIO, 0) > 50, "MP3 damage: " + mp3Reasons);
        assertTrue(mp3Reasons.getOrDefault(RejectReason.TRUNCATED_AUDIO, 0) > 50, "MP3 cuts: " + mp3Reasons);
        assertTrue(oggReasons.getOrDefault(RejectReason.CORRUPT_AUDIO, 0) > 30, "Ogg damage: " + oggReasons);
        assertTrue(oggReasons.getOrDefault(RejectReason.TRUNCATED_AUDIO, 0) > 10, "Ogg cuts: " + oggReasons);
        assertTrue(oggDecoded > 10, "Ogg files with damage in their audio packets still decode: " + oggDecoded);
        assertTrue(webmReasons.getOrDefault(RejectReason.CORRUPT_AUDIO, 0) > 30, "WebM damage: " + webmReasons);
        assertTrue(webmReasons.getOrDefault(RejectReason.TRUNCATED_AUDIO, 0) > 10, "WebM cuts: " + webmReasons);
        assertTrue(webmDecoded > 10, "WebM files with damage in their frames still decode: " + webmDecoded);
    }

    /**
     * 40 damaged Ogg and WebM Vorbis files (seed 20261207) through ffmpeg (ExternalDecoder): each decodes or is an
     * AudioFormatException naming the file, none takes more than its 5 s deadline (ffmpeg is killed there), and the
     * whole run stays within a few seconds (a process per file).
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void everyDamagedVorbisFileDecodesOrFailsCleanlyThroughFfmpeg(@TempDir Path dir) throws Exception {
        List<byte[]> seeds = FuzzSeeds.bytes(FuzzSeeds.vorbis(dir));
        Map<RejectReason, Integer> reasons = new EnumMap<>(RejectReason.class);
        int decoded = 0;
        int byFfmpeg = 0;
        long t0 = System.nanoTime();
        for (AudioFuzzer.Mutant m : new AudioFuzzer(20261207L).mutate(seeds, 40)) {
            long t1 = System.nanoTime();
            try {
                AudioDecoder.decode(m.bytes(), m.name(), 0, -1, new DecodeLimits(60,
                        Deadline.afterSeconds(5, "decoding " + m.name())));
                decoded++;
            } catch (AudioFormatException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
                byFfmpeg += e.getMessage().contains("ffmpeg cannot decode") ? 1 : 0;
                assertTrue(e.getMessage().contains(m.name()), "the message names the file: " + e.getMessage());
            } catch (Throwable t) {
                fail(m.name() + " (" + m.damage() + ") threw " + t, t);
            }
            double seconds = (System.nanoTime() - t1) / 1e9;
            assertTrue(seconds < 6, m.name() + " (" + m.damage() + ") took " + seconds + " s");
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        System.out.printf("vorbis fuzz: %d decoded, rejected %s (%d by ffmpeg's own error), %.1f s%n", decoded,
                reasons, byFfmpeg, wall);
        assertEquals(40, decoded + reasons.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(reasons.getOrDefault(RejectReason.CORRUPT_AUDIO, 0) > 6, "damage is detected: " + reasons);
    }
}
