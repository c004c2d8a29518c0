package org.omnispark.data.audio;

import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusPacketInfo;
import org.omnispark.data.Deadline;

/**
 * Decodes the audio packets of an Opus stream ({@link OpusPackets} from Ogg or Matroska/WebM, with its
 * {@link OpusHead}) with Concentus (io.github.jaredmdobson:concentus, BSD-3-Clause, a pure Java port of libopus), one
 * packet at a time under OmniSpark's control, at 48 kHz as RFC 7845 prescribes.
 *
 * <p>The length is exact before anything is decoded: {@link #scan} sums every packet's duration from its TOC byte
 * (a packet that is not valid Opus is a CORRUPT_AUDIO reject here), then trims as ffmpeg does: the header's pre-skip
 * from the start; from the end, in Ogg whatever the last page's granule position says lies past the stream's end, in
 * WebM each block's DiscardPadding from the end of its packet. The deadline is checked between packets; the output
 * array is sized from the segment asked for; every exception Concentus throws (and the AssertionError of its
 * internal checks, thrown on damaged packets even without -ea) becomes a CORRUPT_AUDIO
 * {@link AudioFormatException}. The header's output gain is applied inside the decoder (OPUS_SET_GAIN). Output: mono
 * floats, the mean over channels, 1.0 full scale (Concentus decodes to 16-bit samples, as ffmpeg's reference
 * decodings are stored).
 *
 * <p>Concentus keeps no mutable static state (its tables are static final arrays filled in class initializers), so
 * no lock is taken.
 */
final class OpusPacketDecoder {
    /** The longest Opus packet: 120 ms at 48 kHz. */
    private static final int MAX_PACKET_SAMPLES = 5760;

    private OpusPacketDecoder() {
    }

    /**
     * The number of output samples (48 kHz, after trimming) the stream holds.
     *
     * @throws AudioFormatException CORRUPT_AUDIO when a packet is not valid Opus or the stream is shorter than its
     *     pre-skip
     */
    static long scan(OpusPackets s, OpusHead head, String name) throws AudioFormatException {
        long total = 0;
        for (int i = 0; i < s.count(); i++) {
            total += kept(s, i, duration(s, i, name));
        }
        long end = total;
        long granule = s.granuleEnd();
        if (granule >= 0 && granule < end) {
            end = granule; // end trimming: the encoder padded the last packet
        }
        if (end < head.preSkip()) {
            throw s.corrupt(name, "it holds " + end + " samples, fewer than its pre-skip of " + head.preSkip());
        }
        return end - head.preSkip();
    }

    /** The samples of packet {@code i} left after its end discard (WebM's DiscardPadding). */
    private static int kept(OpusPackets s, int i, int duration) {
        return duration - Math.min(duration, s.endDiscard(i));
    }

    private static int duration(OpusPackets s, int packet, String name) throws AudioFormatException {
        int n;
        try {
            n = s.length(packet) == 0 ? -1
                    : OpusPacketInfo.getNumSamples(s.payload(), s.offset(packet), s.length(packet), OpusHead.RATE);
        } catch (RuntimeException | AssertionError e) {
            n = -1;
        }
        if (n <= 0 || n > MAX_PACKET_SAMPLES) {
            throw s.corrupt(name, "audio packet " + packet + " (" + s.length(packet)
                    + " bytes) is not a valid Opus packet");
        }
        return n;
    }

    /**
     * Decodes {@code count} output samples from output sample {@code start} (both already checked against
     * {@link #scan} and the limits by the caller). Decoding always starts at the first packet (Opus's decoder state
     * needs the packets before a segment; they are cheap).
     */
    static Audio decode(OpusPackets s, OpusHead head, String name, long start, long count, Deadline deadline)
            throws AudioFormatException {
        float[] out = new float[(int) count];
        int channels = head.channels();
        short[] pcm = new short[MAX_PACKET_SAMPLES * channels];
        long firstDecoded = start + head.preSkip(); // output sample i is decoded sample i + preSkip
        long decoded = 0; // index of the next decoded sample that is kept
        int n = 0;
        float divisor = channels * 32768f;
        int packet = 0;
        try {
            io.github.jaredmdobson.concentus.OpusDecoder decoder =
                    new io.github.jaredmdobson.concentus.OpusDecoder(OpusHead.RATE, channels);
            decoder.setGain(head.outputGain());
            for (; packet < s.count() && n < count; packet++) {
                deadline.check();
                int expected = duration(s, packet, name);
                int got = decoder.decode(s.payload(), s.offset(packet), s.length(packet), pcm, 0,
                        MAX_PACKET_SAMPLES, false);
                if (got != expected) {
                    throw s.corrupt(name, "audio packet " + packet + " decoded to " + got
                            + " samples, its TOC says " + expected);
                }
                int keep = kept(s, packet, got);
                for (int i = 0; i < keep && n < count; i++, decoded++) {
                    if (decoded < firstDecoded) {
                        continue;
                    }
                    int sum = channels == 1 ? pcm[i] : pcm[2 * i] + pcm[2 * i + 1];
                    out[n++] = sum / divisor;
                }
            }
        } catch (OpusException e) {
            throw s.corrupt(name, "audio packet " + packet + " cannot be decoded (" + e.getMessage() + ")");
        } catch (Deadline.Exceeded e) {
            throw e;
        } catch (RuntimeException | AssertionError e) {
            // Concentus indexes its tables with values read from the packet: damage can throw anything, and its
            // internal checks (Inlines.OpusAssert) throw AssertionError whether or not the JVM runs with -ea
            throw s.corrupt(name, "audio packet " + packet + " cannot be decoded (" + e + ")");
        }
        if (n < count) {
            throw s.corrupt(name, "decoded " + n + " of the " + count + " samples its packets hold");
        }
        return new Audio(out, OpusHead.RATE);
    }
}
