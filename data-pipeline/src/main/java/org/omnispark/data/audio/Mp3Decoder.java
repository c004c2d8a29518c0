package org.omnispark.data.audio;

import java.io.ByteArrayInputStream;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.JavaLayerException;
import javazoom.jl.decoder.Obuffer;
import org.omnispark.data.Deadline;

/**
 * Decodes the layer III frames of an {@link Mp3Stream} with JLayer's decoder (javazoom:jlayer, LGPL-2.1, used
 * unmodified), one frame at a time under OmniSpark's control: JLayer only ever sees the frame chain the walk
 * validated (no ID3 tag, no tag frame, no trailing bytes), the deadline is checked between frames, the output array
 * is sized from the real frame count and the segment asked for, and every exception JLayer throws (its own, or an
 * ArrayIndexOutOfBoundsException on a damaged frame) becomes a CORRUPT_AUDIO {@link AudioFormatException}. JLayer
 * prints nothing from its decoder package.
 *
 * <p>Output: mono floats, the mean over channels; JLayer's 32700 full-scale factor is undone so that 1.0 is full scale
 * as in ffmpeg; samples are clipped to [-1, 1). With LAME's tag the encoder delay and padding are trimmed exactly as
 * ffmpeg does ({@link Mp3Stream#skip()}), so the samples line up with ffmpeg's.
 */
final class Mp3Decoder {
    /** JLayer's synthesis filter writes samples scaled by this, not by 32768 (Decoder.initialize). */
    private static final float JLAYER_SCALE = 32700f;
    /** Frames decoded before a segment's first one: enough to refill the bit reservoir (511 bytes) and filters. */
    private static final int WARM_UP_FRAMES = 10;
    /**
     * JLayer fills static tables lazily, unsynchronized, in the constructors its first decodeFrame runs
     * (huffcodetab.inithuff, LayerIIIDecoder's reorder table, SynthesisFilter's window): each decode's first frame
     * is decoded holding this lock, so no thread sees another's half-built tables.
     */
    private static final Object JLAYER_STATICS = new Object();

    private Mp3Decoder() {
    }

    /**
     * Decodes {@code count} output samples from output sample {@code start} (both already checked against the
     * stream's length and the limits by the caller).
     */
    static Audio decode(byte[] data, Mp3Stream s, String name, long start, long count, Deadline deadline)
            throws AudioFormatException {
        Mp3Header h = s.header();
        int spf = h.samplesPerFrame();
        float[] out = new float[(int) count];
        // output sample i is decoded sample i + skip; decoding starts a few frames early when a segment starts late
        long firstDecoded = start + s.skip();
        int frame = (int) Math.max(0, firstDecoded / spf - WARM_UP_FRAMES);
        int firstFrame = frame;
        int offset = s.offsetOf(data, frame);
        Bitstream bits = new Bitstream(new ByteArrayInputStream(data, offset, s.end() - offset));
        Decoder decoder = new Decoder();
        FrameBuffer buffer = new FrameBuffer();
        decoder.setOutputBuffer(buffer);
        long decoded = (long) frame * spf; // index of the next decoded sample
        int n = 0;
        float divisor = h.channels() * JLAYER_SCALE;
        try {
            for (; frame < s.frames() && n < count; frame++) {
                deadline.check();
                Header fh = bits.readFrame();
                if (fh == null) {
                    throw Mp3Stream.corrupt(name, "the decoder found no frame " + frame + " of " + s.frames());
                }
                buffer.clear_buffer();
                if (frame == firstFrame) {
                    synchronized (JLAYER_STATICS) {
                        decoder.decodeFrame(fh, bits);
                    }
                } else {
                    decoder.decodeFrame(fh, bits);
                }
                bits.closeFrame();
                int got = buffer.samples(spf, h.channels());
                if (got < 0) {
                    throw Mp3Stream.corrupt(name, "frame " + frame + " decoded to an unexpected number of samples");
                }
                for (int i = 0; i < spf && n < count; i++, decoded++) {
                    if (decoded < firstDecoded) {
                        continue;
                    }
                    float v = got == 0 ? 0f : buffer.mix(i, h.channels()) / divisor;
                    if (!Float.isFinite(v)) {
                        throw Mp3Stream.corrupt(name, "frame " + frame + " decoded to " + v);
                    }
                    out[n++] = Math.max(-1f, Math.min(v, 32767f / 32768f));
                }
            }
        } catch (JavaLayerException e) {
            throw Mp3Stream.corrupt(name, "frame " + frame + " cannot be decoded (" + e.getMessage() + ")");
        } catch (Deadline.Exceeded e) {
            throw e;
        } catch (RuntimeException e) {
            // JLayer indexes its tables with values read from the frame: a damaged frame can throw anything
            throw Mp3Stream.corrupt(name, "frame " + frame + " cannot be decoded (" + e + ")");
        }
        if (n < count) {
            throw Mp3Stream.corrupt(name, "decoded " + n + " of the " + count + " samples its frames hold");
        }
        return new Audio(out, h.sampleRate());
    }

    /** Collects one frame's float samples per channel, as JLayer's synthesis filter hands them over (32 at a time). */
    private static final class FrameBuffer extends Obuffer {
        private final float[][] samples = new float[2][1152];
        private final int[] counts = new int[2];
        private boolean overflow;

        @Override
        public void appendSamples(int channel, float[] f) {
            if (channel < 0 || channel > 1 || counts[channel] + 32 > samples[channel].length) {
                overflow = true;
                return;
            }
            System.arraycopy(f, 0, samples[channel], counts[channel], 32);
            counts[channel] += 32;
        }

        @Override
        public void append(int channel, short value) {
            overflow = true; // the float path above is the only one layer III uses
        }

        /** Samples per channel of the frame just decoded: spf, 0 (a frame JLayer skipped), -1 (anything else). */
        int samples(int spf, int channels) {
            if (overflow || counts[1] != (channels == 1 ? 0 : counts[0])) {
                return -1;
            }
            return counts[0] == spf || counts[0] == 0 ? counts[0] : -1;
        }

        float mix(int i, int channels) {
            return channels == 1 ? samples[0][i] : samples[0][i] + samples[1][i];
        }

        @Override
        public void write_buffer(int val) {
        }

        @Override
        public void close() {
        }

        @Override
        public void clear_buffer() {
            counts[0] = 0;
            counts[1] = 0;
            overflow = false;
        }

        @Override
        public void set_stop_flag() {
        }
    }
}
