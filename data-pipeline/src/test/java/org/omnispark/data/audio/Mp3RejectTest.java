package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.data.audio.AudioRejects.reject;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.omnispark.data.RejectReason;

/**
 * What becomes of damaged and foreign MPEG files: each reject reason the MP3 path gives, with the byte positions
 * worked out by hand from the fixtures' frame layout (a_16k_mono_vbr.mp3: 37 frames of MPEG-2 layer III, the first
 * an Info/LAME tag frame; b_44k_stereo_cbr128_noxing.mp3: 21 frames of 417 or 418 bytes, no tag frame).
 */
class Mp3RejectTest {
    @Test
    void aFileCutInsideAFrameIsTruncated() throws Exception {
        byte[] mp3 = Mp3Fixtures.mp3("b_44k_stereo_cbr128_noxing");
        AudioFormatException e = reject(Arrays.copyOf(mp3, mp3.length - 100), RejectReason.TRUNCATED_AUDIO, "cut");
        assertTrue(e.getMessage().contains("re-copy or re-download it"), e.getMessage());
        int twentieth = Mp3Stream.scan(mp3, "x").offsetOf(mp3, 20);
        e = reject(Arrays.copyOf(mp3, twentieth + 2), RejectReason.TRUNCATED_AUDIO, "in-header");
        assertTrue(e.getMessage().contains("ends inside the frame header at byte " + twentieth), e.getMessage());
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz: one 4-byte header of a 417-byte frame
        reject(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0x64, 0, 0, 0, 0}, RejectReason.TRUNCATED_AUDIO,
                "one-header");
    }

    @Test
    void aFileCutAtAFrameBoundaryIsTruncatedWhenItsTagFrameCountedMore() throws Exception {
        byte[] vbr = Mp3Fixtures.mp3("a_16k_mono_vbr");
        Mp3Stream s = Mp3Stream.scan(vbr, "vbr");
        assertEquals(36, s.frames());
        AudioFormatException e = reject(Arrays.copyOf(vbr, s.offsetOf(vbr, 30)), RejectReason.TRUNCATED_AUDIO,
                "cut-vbr");
        assertTrue(e.getMessage().contains("declares 36 frames, the file holds 30"), e.getMessage());
        // without a tag frame nothing says more frames were due: 20 whole frames decode
        byte[] cbr = Mp3Fixtures.mp3("b_44k_stereo_cbr128_noxing");
        Mp3Stream c = Mp3Stream.scan(cbr, "cbr");
        assertEquals(20 * 1152, AudioDecoder.decode(Arrays.copyOf(cbr, c.offsetOf(cbr, 20)), "cbr20").samples().length);
    }

    @Test
    void lostSyncAndForeignBytesAreCorrupt() throws Exception {
        byte[] mp3 = Mp3Fixtures.mp3("b_44k_stereo_cbr128_noxing");
        byte[] flipped = mp3.clone();
        int tenth = Mp3Stream.scan(mp3, "x").offsetOf(mp3, 10);
        flipped[tenth + 1] ^= 0x08; // MPEG-1 -> MPEG-2 in frame 10's header: another stream
        AudioFormatException e = reject(flipped, RejectReason.CORRUPT_AUDIO, "flipped");
        assertTrue(e.getMessage().contains("frame sync lost at byte " + tenth + " after 10 frames"), e.getMessage());
        byte[] junk = Arrays.copyOf(mp3, mp3.length + 300);
        for (int i = mp3.length; i < junk.length; i++) {
            junk[i] = (byte) (i * 7 + 1);
        }
        reject(junk, RejectReason.CORRUPT_AUDIO, "trailing-junk");
        // random bytes behind a valid first header: no second frame where the first one ends
        byte[] random = new byte[4000];
        new Random(2).nextBytes(random);
        System.arraycopy(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0x64}, 0, random, 0, 4);
        reject(random, RejectReason.CORRUPT_AUDIO, "random");
        // a reserved sample rate index
        reject(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x9C, 0x64, 0, 0, 0, 0}, RejectReason.CORRUPT_AUDIO,
                "bad-rate");
        // an ID3v2 tag (10-byte header, size 4) followed by neither FLAC nor MPEG frames
        reject(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 'x', 'y', 'z', 'w'},
                RejectReason.CORRUPT_AUDIO, "id3-junk");
        // an ID3v2 tag that claims more than the file holds
        reject(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0x7F, 0x7F, 0, 0}, RejectReason.TRUNCATED_AUDIO, "id3-cut");
    }

    @Test
    void trailingTagsAndZerosAreNotDamage() throws Exception {
        byte[] mp3 = Mp3Fixtures.mp3("a_16k_mono_cbr32_id3");
        int n = AudioDecoder.decode(mp3, "plain").samples().length;
        byte[] zeros = Arrays.copyOf(mp3, mp3.length + 1000);
        assertEquals(n, AudioDecoder.decode(zeros, "zeros").samples().length);
        byte[] ape = Arrays.copyOf(mp3, mp3.length + 64);
        System.arraycopy("APETAGEX".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, ape, mp3.length, 8);
        assertEquals(n, AudioDecoder.decode(ape, "ape").samples().length);
    }

    @Test
    void layersOneAndTwoAndAacAreUnsupported() {
        // MPEG-1 layer II, 128 kbit/s, 44.1 kHz (0xFFFD: no CRC); layer I (0xFFFF)
        AudioFormatException e = reject(new byte[] {(byte) 0xFF, (byte) 0xFD, (byte) 0x90, 0x64, 0, 0, 0, 0},
                RejectReason.UNSUPPORTED_AUDIO, "mp2");
        assertTrue(e.getMessage().contains("MPEG-1 layer II, 44100 Hz, stereo (MP2) is not supported"), e.getMessage());
        assertTrue(e.getMessage().contains("ffmpeg -i in.mp2 -ar 16000 -ac 1 out.wav"), e.getMessage());
        reject(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0x90, 0x64, 0, 0, 0, 0}, RejectReason.UNSUPPORTED_AUDIO,
                "mp1");
        // ADTS: sync 0xFFF, MPEG-4, layer 00, no CRC
        e = reject(new byte[] {(byte) 0xFF, (byte) 0xF1, 0x50, (byte) 0x80, 0, 0x1F, (byte) 0xFC},
                RejectReason.UNSUPPORTED_AUDIO, "aac");
        assertTrue(e.getMessage().contains("AAC (ADTS)"), e.getMessage());
    }
}
