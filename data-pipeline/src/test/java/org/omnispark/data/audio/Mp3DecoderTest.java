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
 * MP3 decoding against ffmpeg's decoder on the checked-in fixtures (see {@link Mp3Fixtures}): MPEG-1, 2 and 2.5 layer
 * III, mono and stereo, CBR and VBR, with and without ID3 tags and LAME's gapless tag. Both decoders are floating
 * point; ffmpeg's output is rounded to 16 bits (0.5 LSB, about -101 dB of full scale), and the two implementations
 * of the IMDCT and polyphase filterbank round differently in float. With the encoder delay trimmed as ffmpeg trims
 * it, the samples must line up with no lag (checked by cross-correlation over the first second, +-2000 samples),
 * differ by at most one 16-bit step (measured: 0.51 LSB, i.e. ffmpeg's rounding) and agree to an SNR above
 * {@value #MIN_SNR_DB} dB. Measured 76-81 dB: the fixtures peak at about -8 dBFS, so ffmpeg's rounding noise (LSB^2/12)
 * alone bounds the SNR near 80 dB; 70 dB leaves room for that while failing what a wrong scale (JLayer's 32700 instead
 * of 32768 alone gives 54 dB), a one-sample shift (a few dB on speech) or a wrong stereo mode would give. The codec's
 * own error at these bitrates is 10-20 dB SNR, so the decoders' difference is nothing next to it.
 */
class Mp3DecoderTest {
    static final double MIN_SNR_DB = 70;

    @Test
    void agreesWithFfmpegOnEveryFixture() throws Exception {
        for (String name : Mp3Fixtures.NAMES) {
            Audio got = AudioDecoder.decode(Mp3Fixtures.mp3(name), name + ".mp3");
            double[] want = Mp3Fixtures.ffmpegMono(name);
            int rate = Integer.parseInt(name.replaceAll("^._(\\d+)k_.*", "$1"));
            assertEquals(rate == 22 ? 22050 : rate == 44 ? 44100 : rate * 1000, got.sampleRate(), name);
            assertEquals(want.length, got.samples().length, name + ": samples after gapless trimming");
            assertEquals(0, lag(want, got.samples(), Math.min(want.length, got.sampleRate()), 2000), name + ": lag");
            Parity parity = Parity.of(want, got.samples());
            double maxDiff = parity.maxDiff();
            double snr = parity.snrDb();
            System.out.printf("mp3 parity %-28s %6d samples  max |diff| %.2e (%.2f LSB of 16 bits)  SNR %.1f dB%n",
                    name, want.length, maxDiff, maxDiff * 32768, snr);
            assertTrue(snr > MIN_SNR_DB, name + ": SNR " + snr + " dB");
            assertTrue(maxDiff <= 1.0 / 32768, name + ": max |diff| " + maxDiff);
        }
    }

    /** The shift of {@code got} against {@code want} (within +-maxLag) maximizing their correlation over n samples. */
    static int lag(double[] want, float[] got, int n, int maxLag) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double c = 0;
            for (int i = Math.max(0, -lag); i < n && i + lag < got.length; i++) {
                c += want[i] * got[i + lag];
            }
            if (c > bestValue) {
                bestValue = c;
                best = lag;
            }
        }
        return best;
    }

    @Test
    void theProbeGivesTheDurationBeforeDecoding() throws Exception {
        for (String name : Mp3Fixtures.NAMES) {
            byte[] mp3 = Mp3Fixtures.mp3(name);
            double decoded = AudioDecoder.decode(mp3, name).durationSeconds();
            double probed = DurationProbe.seconds(Arrays.copyOf(mp3, Math.min(mp3.length, DurationProbe.HEAD_BYTES)),
                    mp3.length);
            if (name.contains("vbr") && !name.contains("noxing") || name.contains("cbr") && !name.contains("noxing")) {
                assertEquals(decoded, probed, 1e-9, name + ": exact from the Xing/Info tag frame");
            } else {
                // CBR without a tag frame: bytes / bitrate (21 frames of 8777 bytes at 128 kbit/s: 0.5486 s)
                assertEquals(8777 * 8 / 128000.0, probed, 1e-9, name);
                assertEquals(decoded, probed, 0.001, name);
            }
        }
    }

    @Test
    void vbrWithoutATagFrameOrAHeadThatMissesTheFirstFrameHasNoEstimate() throws Exception {
        byte[] vbr = Mp3Fixtures.mp3("a_16k_mono_vbr");
        Mp3Stream s = Mp3Stream.scan(vbr, "vbr");
        // the same frames without the Info/LAME tag frame: bitrates vary within the first 8 KiB, nothing says the length
        byte[] untagged = Arrays.copyOfRange(vbr, s.first(), vbr.length);
        assertTrue(Double.isNaN(DurationProbe.seconds(Arrays.copyOf(untagged, DurationProbe.HEAD_BYTES),
                untagged.length)));
        // and it decodes whole, without gapless trimming: 36 frames of 576 samples
        assertEquals(36 * 576, AudioDecoder.decode(untagged, "untagged").samples().length);
        // an ID3v2 tag of 20000 bytes (cover art) hides the first frame beyond the 8 KiB head
        byte[] art = new byte[10 + 20000 + vbr.length];
        System.arraycopy(new byte[] {'I', 'D', '3', 3, 0, 0, 0, 1, (byte) 0x1C, 0x20}, 0, art, 0, 10); // 20000
        System.arraycopy(vbr, 0, art, 20010, vbr.length);
        assertTrue(Double.isNaN(DurationProbe.seconds(Arrays.copyOf(art, DurationProbe.HEAD_BYTES), art.length)));
        assertEquals(1.2, AudioDecoder.decode(art, "art").durationSeconds(), 1e-9);
    }

    @Test
    void aSegmentIsTheSameSamplesAsInTheWholeDecode() throws Exception {
        for (String name : Mp3Fixtures.NAMES) {
            byte[] mp3 = Mp3Fixtures.mp3(name);
            Audio whole = AudioDecoder.decode(mp3, name);
            // late enough that decoding starts at a warm-up frame, not at the first one
            double offset = whole.durationSeconds() * 0.6;
            Audio seg = AudioDecoder.decode(mp3, name, offset, 0.1);
            int start = (int) Math.round(offset * whole.sampleRate());
            assertEquals(Math.round(0.1 * whole.sampleRate()), seg.samples().length, name);
            assertArrayEquals(Arrays.copyOfRange(whole.samples(), start, start + seg.samples().length),
                    seg.samples(), name);
        }
    }

    @Test
    void aLongFileIsRejectedBeforeItIsDecodedAndTheDeadlineIsKept() throws Exception {
        byte[] mp3 = Mp3Fixtures.mp3("a_16k_mono_vbr");
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioDecoder.decode(mp3, "long.mp3",
                0, -1, new DecodeLimits(0.5, Deadline.NONE)));
        assertEquals(RejectReason.TOO_LONG, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("1.200 s > 0.500 s"), e.getMessage());
        assertEquals(1.2, AudioDecoder.decode(mp3, "ok.mp3", 0, -1, new DecodeLimits(1.2, Deadline.NONE))
                .durationSeconds(), 1e-9);
        Deadline passed = Deadline.afterSeconds(0, "decoding late.mp3");
        Thread.sleep(2);
        Deadline.Exceeded x = assertThrows(Deadline.Exceeded.class, () -> AudioDecoder.decode(mp3, "late.mp3", 0, -1,
                new DecodeLimits(60, passed)));
        assertTrue(x.getMessage().contains("decoding late.mp3"), x.getMessage());
    }
}
