package org.omnispark.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.RejectReason;

class AudioDamageTest {
    @TempDir
    Path dir;

    private Path intactWav(String name) throws IOException {
        Path p = dir.resolve(name + ".wav");
        PcmWavTest.sine().write(p); // 44 + 32000 bytes
        return p;
    }

    private static ByteBuffer le(Path p) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void truncatedKeepsHeaderButLosesData() throws IOException {
        Path p = intactWav("t");
        AudioDamage.TRUNCATED.apply(p, p, new SplittableRandom(1));
        ByteBuffer b = le(p);
        assertEquals(32000, b.getInt(40), "header still announces all 32000 data bytes");
        long kept = Files.size(p) - 44;
        assertTrue(kept >= 0.2 * 32000 - 2 && kept <= 0.7 * 32000, "kept " + kept + " of 32000 data bytes");
        assertEquals(0, kept % 2, "sample aligned");
    }

    @Test
    void garbageEmptyMissing() throws IOException {
        Path g = intactWav("g");
        AudioDamage.GARBAGE_BYTES.apply(g, g, new SplittableRandom(2));
        byte[] bytes = Files.readAllBytes(g);
        assertEquals(32044, bytes.length);
        assertTrue(bytes[0] >= 'G' && bytes[0] <= 'N', "first byte " + bytes[0] + " is no known magic");
        Path e = intactWav("e");
        AudioDamage.EMPTY_FILE.apply(e, e, new SplittableRandom(3));
        assertEquals(0, Files.size(e));
        Path m = intactWav("m");
        AudioDamage.MISSING_FILE.apply(m, m, new SplittableRandom(4));
        assertFalse(Files.exists(m));
    }

    @Test
    void unsupportedIsAnOggStreamInItsOwnFile() throws IOException {
        Path wav = intactWav("u");
        Path ogg = dir.resolve("u." + AudioDamage.UNSUPPORTED_FORMAT.extension("wav"));
        assertEquals("u.ogg", ogg.getFileName().toString());
        AudioDamage.UNSUPPORTED_FORMAT.apply(wav, ogg, new SplittableRandom(5));
        assertFalse(Files.exists(wav), "the intact wav is gone");
        byte[] b = Files.readAllBytes(ogg);
        // 32044 / 4123 / 4 = 1, at least 2 pages of 27 + 16 + 16 x 255 = 4123 bytes, each starting with "OggS"
        assertEquals(2 * 4123, b.length);
        for (int page = 0; page < 2; page++) {
            assertEquals("OggS", new String(b, page * 4123, 4, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(16, b[page * 4123 + 26], "page " + page + ": 16 segments");
        }
        // valid pages (CRC, sequence) of a Speex stream: unsupported, not corrupt
        org.omnispark.data.audio.AudioFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.omnispark.data.audio.AudioFormatException.class,
                () -> org.omnispark.data.audio.AudioDecoder.decode(b, "u.ogg"));
        assertEquals(RejectReason.UNSUPPORTED_AUDIO, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("Speex is not supported"), e.getMessage());
    }

    @Test
    void impossibleHeaderBreaksOneFmtField() throws IOException {
        int[] seen = new int[3];
        for (int seed = 0; seed < 30; seed++) {
            Path p = intactWav("h" + seed);
            AudioDamage.IMPOSSIBLE_HEADER.apply(p, p, new SplittableRandom(seed));
            ByteBuffer b = le(p);
            assertEquals(0x46464952, b.getInt(0), "still RIFF");
            int channels = b.getShort(22);
            int rate = b.getInt(24);
            int blockAlign = b.getShort(32);
            int zeros = (channels == 0 ? 1 : 0) + (rate == 0 ? 1 : 0) + (blockAlign == 0 ? 1 : 0);
            assertEquals(1, zeros, "exactly one impossible field: ch " + channels + " rate " + rate + " align "
                + blockAlign);
            seen[channels == 0 ? 0 : rate == 0 ? 1 : 2]++;
        }
        assertTrue(seen[0] > 0 && seen[1] > 0 && seen[2] > 0, "all three kinds over 30 seeds");
    }

    @Test
    void expectedRejectReasons() {
        assertEquals(null, AudioDamage.NONE.expectedReject());
        assertEquals(RejectReason.TRUNCATED_AUDIO, AudioDamage.TRUNCATED.expectedReject());
        assertEquals(RejectReason.MISSING_AUDIO, AudioDamage.MISSING_FILE.expectedReject());
        assertEquals(RejectReason.UNSUPPORTED_AUDIO, AudioDamage.UNSUPPORTED_FORMAT.expectedReject());
        assertEquals(RejectReason.CORRUPT_AUDIO, AudioDamage.IMPOSSIBLE_HEADER.expectedReject());
        assertEquals(6, AudioDamage.KINDS.size());
    }
}
