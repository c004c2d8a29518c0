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
 * Ogg Opus decoding against ffmpeg with libopus's decoder (the reference implementation, which Concentus ports) on the
 * checked-in fixtures (see {@link OggFixtures}): mono and stereo, 12 to 64 kbit/s, SILK (voip) and CELT frames, 20 and
 * 60 ms packets. Both outputs are at 48 kHz with pre-skip and end trimming applied, so the lengths must be equal and
 * the lag 0 (cross-correlation over the first second, +-2000 samples). Measured (printed by the test): the two mono
 * (SILK) files are bit-identical; the stereo (CELT) files differ by at most 3.5 and 21.5 16-bit steps, SNR 72.3 and
 * 65.9 dB: Concentus ports libopus's fixed-point CELT, ffmpeg's libopus is the float build. The thresholds,
 * {@value #MIN_SNR_DB} dB and {@value #MAX_ABS_DIFF} (64 steps), leave about 10 dB of margin over that and fail on
 * what a real mistake gives: a one-sample shift or a wrong pre-skip (lag != 0, and a few dB on speech), the output
 * gain ignored or a channel lost (under 10 dB). ffmpeg's native "opus" decoder is another implementation: against it
 * the SILK files are 2 samples late and 12 dB apart, so it is not the reference here.
 */
class OpusDecoderTest {
    static final double MIN_SNR_DB = 55;
    static final double MAX_ABS_DIFF = 64.0 / 32768;

    @Test
    void agreesWithFfmpegOnEveryFixture() throws Exception {
        for (String name : OggFixtures.OPUS) {
            Audio got = AudioDecoder.decode(OggFixtures.opus(name), name + ".opus");
            double[] want = OggFixtures.ffmpegMono(name);
            assertEquals(48000, got.sampleRate(), name);
            assertEquals(want.length, got.samples().length, name + ": samples after pre-skip and end trimming");
            int lag = Mp3DecoderTest.lag(want, got.samples(), Math.min(want.length, 48000), 2000);
            Parity parity = Parity.of(want, got.samples());
            double maxDiff = parity.maxDiff();
            double snr = parity.snrDb();
            System.out.printf("opus parity %-26s %6d samples  lag %d  max |diff| %.2e (%.1f LSB of 16 bits)  SNR %.1f"
                    + " dB%n", name, want.length, lag, maxDiff, maxDiff * 32768, snr);
            assertEquals(0, lag, name + ": lag");
            assertTrue(snr > MIN_SNR_DB, name + ": SNR " + snr + " dB");
            assertTrue(maxDiff <= MAX_ABS_DIFF, name + ": max |diff| " + maxDiff);
        }
    }

    @Test
    void aSegmentIsTheSameSamplesAsInTheWholeDecode() throws Exception {
        for (String name : OggFixtures.OPUS) {
            byte[] opus = OggFixtures.opus(name);
            Audio whole = AudioDecoder.decode(opus, name);
            double offset = whole.durationSeconds() * 0.6;
            Audio seg = AudioDecoder.decode(opus, name, offset, 0.1);
            int start = (int) Math.round(offset * 48000);
            assertEquals(4800, seg.samples().length, name);
            assertArrayEquals(Arrays.copyOfRange(whole.samples(), start, start + 4800), seg.samples(), name);
        }
    }

    @Test
    void aLongFileIsRejectedBeforeItIsDecodedAndTheDeadlineIsKept() throws Exception {
        byte[] opus = OggFixtures.opus("a_16k_mono_opus24");
        AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioDecoder.decode(opus, "long.opus",
                0, -1, new DecodeLimits(0.5, Deadline.NONE)));
        assertEquals(RejectReason.TOO_LONG, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("1.200 s > 0.500 s"), e.getMessage());
        assertEquals(1.2, AudioDecoder.decode(opus, "ok.opus", 0, -1, new DecodeLimits(1.2, Deadline.NONE))
                .durationSeconds(), 1e-9);
        Deadline passed = Deadline.afterSeconds(0, "decoding late.opus");
        Thread.sleep(2);
        Deadline.Exceeded x = assertThrows(Deadline.Exceeded.class, () -> AudioDecoder.decode(opus, "late.opus", 0, -1,
                new DecodeLimits(60, passed)));
        assertTrue(x.getMessage().contains("decoding late.opus"), x.getMessage());
    }

    @Test
    void theProbeGivesTheExactDurationWhenTheWholeFileIsInTheHead() throws Exception {
        for (String name : OggFixtures.OPUS) {
            byte[] opus = OggFixtures.opus(name);
            double decoded = AudioDecoder.decode(opus, name).durationSeconds();
            assertEquals(decoded, DurationProbe.seconds(opus, opus.length), 1e-9, name);
            // a head that misses the file's last page says nothing: the first pages' granules are not the length
            byte[] head = Arrays.copyOf(opus, opus.length / 2);
            assertTrue(Double.isNaN(DurationProbe.seconds(head, opus.length)), name);
        }
    }

    @Test
    void decodesFasterThanRealTimeOnOneCore() throws Exception {
        for (String name : OggFixtures.OPUS) {
            byte[] opus = OggFixtures.opus(name);
            long warm = System.nanoTime();
            while (System.nanoTime() - warm < 2_000_000_000L) { // JIT warm-up on this file's code paths
                AudioDecoder.decode(opus, name);
            }
            double seconds = 0;
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 2_000_000_000L) {
                seconds += AudioDecoder.decode(opus, name).durationSeconds();
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf("opus speed %-26s %.0fx real time (one thread, %.1f s of audio in %.2f s)%n", name,
                    seconds / wall, seconds, wall);
            assertTrue(seconds / wall > 5, name + ": " + seconds / wall + "x real time");
        }
    }
}
