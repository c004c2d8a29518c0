package org.omnispark.data.audio;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.FrameListener;
import org.jflac.frame.Frame;
import org.jflac.metadata.Metadata;
import org.jflac.metadata.StreamInfo;
import org.omnispark.data.RejectReason;

/**
 * Decodes FLAC to mono floats with jFLAC ({@code org.jflac:jflac-codec}), turning its error reporting (exceptions,
 * silent zero-filled frames on CRC errors, early end of stream) into {@link AudioFormatException}s.
 */
final class FlacReader {
    private static final String RECODE = "; re-encode it with: flac -f -o out.flac in.wav (or sox in.x out.flac)";

    private FlacReader() {
    }

    /**
     * Decodes the first {@code maxSamples} samples per channel (all when negative), downmixed to mono, full scale
     * 2^(bits-1) mapped to 1.0.
     *
     * @throws AudioFormatException CORRUPT_AUDIO for a bad header, lost sync, bad frame or CRC mismatch;
     *     TRUNCATED_AUDIO when the stream ends before the sample count in STREAMINFO (only checked up to
     *     {@code maxSamples}; a stream whose STREAMINFO leaves the count unknown (0) is decoded as far as it
     *     goes, and a cut inside its last frame goes unnoticed)
     */
    static Audio decode(byte[] data, String name, long maxSamples) throws AudioFormatException {
        checkStreamInfoHeader(data, name);
        FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(data));
        ErrorRecorder errors = new ErrorRecorder();
        decoder.addFrameListener(errors);
        StreamInfo info;
        try {
            info = decoder.readStreamInfo();
            if (!info.isLast()) {
                decoder.readMetadata(info);
            }
        } catch (EOFException e) {
            throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO,
                    name + ": FLAC file ends inside its metadata; the file was cut short, re-copy it", e);
        } catch (IOException | RuntimeException e) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO,
                    name + ": FLAC metadata is invalid (" + e.getMessage() + ")" + RECODE, e);
        }
        int channels = info.getChannels();
        int bits = info.getBitsPerSample();
        int rate = info.getSampleRate();
        long total = info.getTotalSamples(); // 0 = unknown (streaming encoder)
        if (channels < 1 || rate < 1 || bits < 4 || bits > 32) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": FLAC STREAMINFO says " + channels
                    + " channels, " + rate + " Hz, " + bits + " bits" + RECODE);
        }
        long want = total > 0 ? (maxSamples >= 0 ? Math.min(total, maxSamples) : total)
                : (maxSamples >= 0 ? maxSamples : Long.MAX_VALUE);
        if (want > Integer.MAX_VALUE - 8 && total > 0) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO,
                    name + ": FLAC stream of " + total + " samples is too long for one array; split it");
        }
        // FLAC compresses silence ~1000x, so a corrupt total must not allocate blindly: grow as frames arrive.
        float[] out = new float[(int) Math.min(want, 1 << 16)];
        int n = 0;
        double divisor = channels * Math.scalb(1.0, bits - 1);
        try {
            while (n < want) {
                Frame frame = decoder.readNextFrame();
                if (frame == null && decoder.getBadFrames() == 0) {
                    break; // end of stream; jFLAC also reports an end inside a frame this way (checked below)
                }
                if (frame == null || errors.first != null || decoder.getBadFrames() > 0) {
                    throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": FLAC frame after sample "
                            + n + " is damaged (" + (errors.first != null ? errors.first : "bad frame") + ")"
                            + RECODE);
                }
                if (frame.header.channels != channels) {
                    throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": FLAC frame has "
                            + frame.header.channels + " channels, STREAMINFO says " + channels + RECODE);
                }
                int block = (int) Math.min(frame.header.blockSize, want - n);
                if ((long) n + block > Integer.MAX_VALUE - 8) {
                    throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": FLAC stream is longer"
                            + " than " + n + " samples, too long for one array; split it");
                }
                if (n + block > out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(want, Math.max(n + block, 2L * out.length)));
                }
                mix(decoder.getChannelData(), channels, block, divisor, out, n);
                n += block;
            }
        } catch (IOException | RuntimeException e) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO,
                    name + ": FLAC frame after sample " + n + " cannot be decoded (" + e + ")" + RECODE, e);
        }
        if (total > 0 && n < want) {
            throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": FLAC stream ends after " + n
                    + " of the " + total + " samples its header declares; the file was cut short, re-copy it");
        }
        return new Audio(n == out.length ? out : Arrays.copyOf(out, n), rate);
    }

    /**
     * The first metadata block after "fLaC" must be a 34-byte STREAMINFO (type 0). Checking this before jFLAC reads
     * the file tells garbage (CORRUPT) apart from a real header cut short (TRUNCATED): jFLAC would read a garbage
     * block length and report the end of file.
     */
    private static void checkStreamInfoHeader(byte[] d, String name) throws AudioFormatException {
        int p = 0;
        if (d.length >= 10 && d[0] == 'I' && d[1] == 'D' && d[2] == '3') {
            p = 10 + ((d[6] & 0x7F) << 21 | (d[7] & 0x7F) << 14 | (d[8] & 0x7F) << 7 | (d[9] & 0x7F))
                    + ((d[5] & 0x10) != 0 ? 10 : 0);
        }
        if (d.length < p + 8) {
            throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO,
                    name + ": FLAC file ends before its STREAMINFO block; the file was cut short, re-copy it");
        }
        int type = d[p + 4] & 0x7F;
        int length = (d[p + 5] & 0xFF) << 16 | (d[p + 6] & 0xFF) << 8 | (d[p + 7] & 0xFF);
        if (type != 0 || length != 34) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": FLAC file does not start with a"
                    + " STREAMINFO block (type " + type + ", " + length + " bytes)" + RECODE);
        }
    }

    /** out[offset + i] = mean over channels of channel[c][i] / full scale. */
    private static void mix(ChannelData[] data, int channels, int block, double divisor, float[] out, int offset) {
        int[][] channel = new int[channels][];
        for (int c = 0; c < channels; c++) {
            channel[c] = data[c].getOutput();
        }
        for (int i = 0; i < block; i++) {
            long sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += channel[c][i];
            }
            out[offset + i] = (float) (sum / divisor);
        }
    }

    /** Keeps the first error jFLAC reports through its listener (CRC errors are only reported this way). */
    private static final class ErrorRecorder implements FrameListener {
        private String first;

        @Override
        public void processMetadata(Metadata metadata) {
        }

        @Override
        public void processFrame(Frame frame) {
        }

        @Override
        public void processError(String message) {
            if (first == null) {
                first = message;
            }
        }
    }
}
