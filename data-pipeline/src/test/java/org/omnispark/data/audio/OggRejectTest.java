package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.data.audio.AudioRejects.reject;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.omnispark.data.RejectReason;

/**
 * Damaged and foreign Ogg files: every one ends as the reject its damage calls for, with a message that names the
 * file and says what to do. The damage is made by hand on a real libopus file (OggFixtures), with the page CRC
 * recomputed where the test means to get past the CRC check.
 */
class OggRejectTest {
    private static final byte[] OPUS = OggFixtures.opus("b_48k_stereo_opus64");

    /** The byte offsets of the pages of an intact Ogg file. */
    static int[] pageStarts(byte[] ogg) {
        int[] starts = new int[0];
        for (int p = 0; p < ogg.length;) {
            starts = Arrays.copyOf(starts, starts.length + 1);
            starts[starts.length - 1] = p;
            int segments = ogg[p + 26] & 0xFF;
            int body = 0;
            for (int i = 0; i < segments; i++) {
                body += ogg[p + 27 + i] & 0xFF;
            }
            p += 27 + segments + body;
        }
        return starts;
    }

    /** Recomputes the CRC of the page at {@code p} (after a deliberate change). */
    static void fixCrc(byte[] ogg, int p) {
        int segments = ogg[p + 26] & 0xFF;
        int length = 27 + segments;
        for (int i = 0; i < segments; i++) {
            length += ogg[p + 27 + i] & 0xFF;
        }
        ByteBuffer.wrap(ogg).order(ByteOrder.LITTLE_ENDIAN).putInt(p + 22, OggStream.crc(ogg, p, length));
    }

    @Test
    void theFixtureHasSeveralPagesAndDecodes() throws Exception {
        assertTrue(pageStarts(OPUS).length >= 4, "pages: " + pageStarts(OPUS).length);
        assertEquals(28800, AudioDecoder.decode(OPUS, "ok").samples().length);
    }

    @Test
    void packetsThatSpanPagesDecodeToTheSameSamples() throws Exception {
        for (String name : OggFixtures.OPUS) {
            byte[] ogg = OggFixtures.opus(name);
            byte[] small = OggWriter.repaginate(ogg, 1); // one lacing value per page: most packets span 2-3 pages
            assertTrue(pageStarts(small).length > 2 * pageStarts(ogg).length, name);
            assertEquals(Arrays.toString(AudioDecoder.decode(ogg, name).samples()),
                    Arrays.toString(AudioDecoder.decode(small, name).samples()), name);
        }
    }

    @Test
    void aFlippedBitFailsTheCrc() {
        byte[] d = OPUS.clone();
        d[d.length / 2] ^= 0x10;
        reject(d, RejectReason.CORRUPT_AUDIO, "flip", "CRC");
    }

    @Test
    void aCutFileIsTruncatedAtEveryLength() {
        for (int cut : new int[] {5, 26, 30, OPUS.length / 3, OPUS.length - 1}) {
            reject(Arrays.copyOf(OPUS, cut), RejectReason.TRUNCATED_AUDIO, "cut" + cut, "cut short");
        }
    }

    @Test
    void aMissingPageBreaksTheSequence() {
        int[] starts = pageStarts(OPUS);
        byte[] d = new byte[OPUS.length - (starts[3] - starts[2])];
        System.arraycopy(OPUS, 0, d, 0, starts[2]);
        System.arraycopy(OPUS, starts[3], d, starts[2], OPUS.length - starts[3]);
        reject(d, RejectReason.CORRUPT_AUDIO, "gap", "page is missing");
    }

    @Test
    void junkAfterTheLastPageIsCorrupt() {
        byte[] d = Arrays.copyOf(OPUS, OPUS.length + 100);
        reject(d, RejectReason.CORRUPT_AUDIO, "junk", "not the start of an Ogg page");
    }

    @Test
    void aSecondStreamIsUnsupportedChainedOrMultiplexed() {
        // chained: the same file twice, the second copy with another serial number
        byte[] chained = Arrays.copyOf(OPUS, OPUS.length * 2);
        System.arraycopy(OPUS, 0, chained, OPUS.length, OPUS.length);
        for (int p : pageStarts(OPUS)) {
            chained[OPUS.length + p + 14] ^= 1;
            fixCrc(chained, OPUS.length + p);
        }
        reject(chained, RejectReason.UNSUPPORTED_AUDIO, "chained", "a chained Ogg file");
        // multiplexed: page 2 carries another serial number
        byte[] muxed = OPUS.clone();
        int p2 = pageStarts(OPUS)[2];
        muxed[p2 + 14] ^= 1;
        fixCrc(muxed, p2);
        AudioFormatException e = reject(muxed, RejectReason.UNSUPPORTED_AUDIO, "muxed", "multiplexed");
        assertTrue(e.getMessage().contains("ffmpeg -i in.ogg -map 0:a:0"), e.getMessage());
    }

    @Test
    void otherOggCodecsAreUnsupportedAndSaySo() {
        AudioFormatException off = assertThrows(AudioFormatException.class, () -> AudioDecoder.decode(
                OggFixtures.bytes(OggFixtures.VORBIS), "vorbis", 0, -1, DecodeLimits.NONE, ExternalDecoder.NONE));
        assertEquals(RejectReason.UNSUPPORTED_AUDIO, off.reason(), off.getMessage());
        assertTrue(off.getMessage().startsWith("vorbis: Ogg Vorbis needs an external decoder, and"
                + " audio.external_decoder is 'none'"), off.getMessage());
        byte[] speex = OPUS.clone();
        System.arraycopy("Speex   ".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, speex, 28, 8);
        fixCrc(speex, 0);
        reject(speex, RejectReason.UNSUPPORTED_AUDIO, "speex", "Speex");
        byte[] webm = {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, 0, 0, 0, 0};
        reject(webm, RejectReason.CORRUPT_AUDIO, "webm", "damaged Matroska/WebM file");
    }

    @Test
    void brokenOpusHeadersAreRejected() {
        byte[] surround = OPUS.clone();
        surround[28 + 9] = 6; // channels
        surround[28 + 18] = 1; // mapping family 1
        fixCrc(surround, 0);
        reject(surround, RejectReason.UNSUPPORTED_AUDIO, "surround", "6 channels");
        byte[] zero = OPUS.clone();
        zero[28 + 9] = 0;
        fixCrc(zero, 0);
        reject(zero, RejectReason.CORRUPT_AUDIO, "zero-channels", "0 channels");
        byte[] huge = OPUS.clone();
        huge[28 + 10] = (byte) 0xFF; // pre-skip 65535 > the 0.6 s the file holds
        huge[28 + 11] = (byte) 0xFF;
        fixCrc(huge, 0);
        reject(huge, RejectReason.CORRUPT_AUDIO, "pre-skip", "pre-skip");
        byte[] noTags = OPUS.clone();
        int tags = pageStarts(OPUS)[1];
        noTags[tags + 28] = 'X';
        fixCrc(noTags, tags);
        reject(noTags, RejectReason.CORRUPT_AUDIO, "no-tags", "OpusTags");
    }
}
