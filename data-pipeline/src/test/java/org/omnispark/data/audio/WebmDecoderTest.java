package org.omnispark.data.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.omnispark.data.Deadline;
import org.omnispark.data.RejectReason;

/**
 * Opus in Matroska/WebM ({@link MatroskaDemuxer} feeding {@link OpusPacketDecoder}) against ffmpeg with libopus's
 * decoder on the checked-in fixtures ({@link WebmFixtures}): a seekable WebM (Duration, Cues, DiscardPadding on the
 * last block), the same stream as a live writer leaves it (unknown-size Segment, no Duration), and a stereo Matroska
 * file with CRC-32 elements. Both outputs are at 48 kHz with the OpusHead's pre-skip and the last block's
 * DiscardPadding trimmed, so the lengths must be equal and the lag 0. Measured (printed by the test): the mono (SILK)
 * files are bit-identical to ffmpeg's, the stereo (CELT) one is within a few 16-bit steps (SNR about 72 dB), as the
 * same streams in Ogg are (OpusDecoderTest, whose thresholds these are). ffmpeg trims by DiscardPadding only: with it
 * zeroed it returns every decoded sample after the pre-skip, the Segment's Duration notwithstanding, and so does this
 * decoder.
 */
class WebmDecoderTest {
    private static final byte[] WEBM = WebmFixtures.bytes("a_16k_mono_opus24.webm");

    @Test
    void agreesWithFfmpegOnEveryFixture() throws Exception {
        for (String name : WebmFixtures.OPUS) {
            Audio got = AudioDecoder.decode(WebmFixtures.bytes(name), name);
            double[] want = WebmFixtures.ffmpegMono(name, name.contains("stereo") ? 2 : 1);
            assertEquals(48000, got.sampleRate(), name);
            assertEquals(want.length, got.samples().length, name + ": samples after pre-skip and DiscardPadding");
            int lag = Mp3DecoderTest.lag(want, got.samples(), Math.min(want.length, 48000), 2000);
            Parity parity = Parity.of(want, got.samples());
            double maxDiff = parity.maxDiff();
            double snr = parity.snrDb();
            System.out.printf("webm opus parity %-28s %6d samples  lag %d  max |diff| %.2e (%.1f LSB of 16 bits)  SNR"
                    + " %.1f dB%n", name, want.length, lag, maxDiff, maxDiff * 32768, snr);
            assertEquals(0, lag, name + ": lag");
            assertTrue(snr > OpusDecoderTest.MIN_SNR_DB, name + ": SNR " + snr + " dB");
            assertTrue(maxDiff <= OpusDecoderTest.MAX_ABS_DIFF, name + ": max |diff| " + maxDiff);
        }
    }

    @Test
    void theSameStreamInOggAndInWebmDecodesToTheSameSamples() throws Exception {
        float[] ogg = AudioDecoder.decode(OggFixtures.opus("a_16k_mono_opus24"), "a.opus").samples();
        assertArrayEquals(ogg, AudioDecoder.decode(WEBM, "a.webm").samples());
        assertArrayEquals(ogg, AudioDecoder.decode(WebmFixtures.bytes("a_16k_mono_opus24_live.webm"), "live.webm")
                .samples());
    }

    @Test
    void unknownSizeClustersAndEveryLacingDecodeToTheSameSamples() throws Exception {
        for (String name : WebmFixtures.OPUS) {
            byte[] webm = WebmFixtures.bytes(name);
            float[] want = AudioDecoder.decode(webm, name).samples();
            for (int lacing = 0; lacing <= 3; lacing++) {
                for (boolean unknown : new boolean[] {false, true}) {
                    byte[] remuxed = WebmFixtures.remux(webm, lacing, lacing == 0 ? 1 : 3, unknown);
                    assertArrayEquals(want, AudioDecoder.decode(remuxed, name).samples(),
                            name + " lacing " + lacing + (unknown ? " unknown-size clusters" : ""));
                }
            }
        }
    }

    @Test
    void withoutDiscardPaddingEveryDecodedSampleIsKeptAsFfmpegKeepsIt() throws Exception {
        byte[] d = WEBM.clone();
        int at = WebmFixtures.indexOf(d, new byte[] {0x75, (byte) 0xA2, (byte) 0x84});
        Arrays.fill(d, at + 3, at + 7, (byte) 0);
        // ffmpeg -c:a libopus -i this.webm -f s16le -: 116496 bytes, 648 samples (13.5 ms) more than with the padding
        assertEquals(58248, AudioDecoder.decode(d, "nopad.webm").samples().length);
    }

    @Test
    void theProbeGivesNoEstimateSoTheFileIsPlannedAsUnknown() {
        for (String name : WebmFixtures.OPUS) {
            byte[] d = WebmFixtures.bytes(name);
            assertTrue(Double.isNaN(DurationProbe.seconds(d, d.length)), name);
        }
        byte[] vorbis = OggFixtures.bytes(OggFixtures.VORBIS);
        assertTrue(Double.isNaN(DurationProbe.seconds(vorbis, vorbis.length)));
    }

    @Test
    void aSegmentIsTheSameSamplesAsInTheWholeDecode() throws Exception {
        Audio whole = AudioDecoder.decode(WEBM, "a.webm");
        Audio seg = AudioDecoder.decode(WEBM, "a.webm", 0.7, 0.1);
        int start = (int) Math.round(0.7 * 48000);
        assertArrayEquals(Arrays.copyOfRange(whole.samples(), start, start + 4800), seg.samples());
    }

    @Test
    void aLongFileIsRejectedBeforeItIsDecodedAndTheDeadlineIsKept() throws Exception {
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioDecoder.decode(WEBM, "long.webm",
                0, -1, new DecodeLimits(0.5, Deadline.NONE)));
        assertEquals(RejectReason.TOO_LONG, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("1.200 s > 0.500 s"), e.getMessage());
        Deadline passed = Deadline.afterSeconds(0, "decoding late.webm");
        Thread.sleep(2);
        assertThrows(Deadline.Exceeded.class, () -> AudioDecoder.decode(WEBM, "late.webm", 0, -1,
                new DecodeLimits(60, passed)));
    }
}
