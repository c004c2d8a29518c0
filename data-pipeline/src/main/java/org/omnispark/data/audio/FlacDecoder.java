package org.omnispark.data.audio;

import java.util.Arrays;
import org.omnispark.data.RejectReason;
import org.omnispark.data.audio.FlacBitReader.EndOfData;

/**
 * A FLAC decoder written for damaged input (format: RFC 9639). Every loop is bounded by the bits of the file or by
 * the samples asked for, every allocation by the file's real size or {@link DecodeLimits#maxSeconds()}, never by a
 * header field; each frame's CRC-8 header check and CRC-16 frame check, its frame or sample number, channel layout,
 * bit depth and rate are verified against STREAMINFO, so bit flips, cuts and spliced streams are reported, not
 * decoded into noise. Nothing is printed. Stateless; each call owns its buffers.
 *
 * <p>Output: mono floats, the mean over channels, full scale 2^(bits-1) mapped to 1.0.
 */
final class FlacDecoder {
    private static final String RECODE = "; re-encode it with: flac -f -o out.flac in.wav (or sox in.x out.flac)";
    private static final int[] RATES = {0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000,
        96000};
    private static final int[] SAMPLE_SIZES = {0, 8, 12, -1, 16, 20, 24, 32};

    private final byte[] data;
    private final String name;
    private final DecodeLimits limits;
    private FlacBitReader in;
    private int channels;
    private int bits;
    private int rate;
    private int minBlock;
    private int maxBlock;
    private long total;
    private long[][] block = new long[0][];

    private FlacDecoder(byte[] data, String name, DecodeLimits limits) {
        this.data = data;
        this.name = name;
        this.limits = limits;
    }

    /**
     * Decodes the first {@code want} samples (all when negative).
     *
     * @throws AudioFormatException CORRUPT_AUDIO (bad header, lost sync, CRC mismatch, a frame that does not
     *     continue the stream), TRUNCATED_AUDIO (the data ends inside the metadata, inside a frame, or before the
     *     sample count STREAMINFO declares), TOO_LONG (more than {@code limits.maxSeconds()} of audio)
     */
    static Audio decode(byte[] data, String name, long want, DecodeLimits limits) throws AudioFormatException {
        return new FlacDecoder(data, name, limits).run(want);
    }

    private Audio run(long want) throws AudioFormatException {
        int pos = readMetadata(Id3.skip(data));
        in = new FlacBitReader(data, pos, data.length);
        long cap = limits.maxSamples(rate);
        long target = total > 0 ? (want >= 0 ? Math.min(want, total) : total) : (want >= 0 ? want : Long.MAX_VALUE);
        float[] out = new float[(int) Math.min(Math.min(target, cap + 1), 1 << 16)];
        int n = 0;
        long frames = 0;
        double divisor = channels * Math.scalb(1.0, bits - 1);
        while (n < target) {
            limits.deadline().check();
            if (in.bytesLeft() <= 0 || (total == 0 && isTrailingTag())) {
                if (total > 0) {
                    throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": FLAC stream ends after "
                            + n + " of the " + total + " samples its header declares; the file was cut short,"
                            + " re-copy it");
                }
                break;
            }
            int size;
            try {
                size = readFrame(frames, n);
            } catch (EndOfData e) {
                throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": FLAC data ends inside the"
                        + " frame after sample " + n + "; the file was cut short, re-copy it");
            }
            frames++;
            int take = (int) Math.min(size, target - n);
            if ((long) n + take > cap) {
                throw new AudioFormatException(RejectReason.TOO_LONG, String.format("%s: FLAC stream is longer"
                        + " than %.1f s (filters.max_duration_s); cut it into segments", name, limits.maxSeconds()));
            }
            if (n + take > out.length) {
                out = Arrays.copyOf(out, (int) Math.min(Math.min(target, cap + 1), Math.max(n + take,
                        2L * out.length)));
            }
            for (int i = 0; i < take; i++) {
                long sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += block[c][i];
                }
                out[n + i] = (float) (sum / divisor);
            }
            n += take;
        }
        return new Audio(n == out.length ? out : Arrays.copyOf(out, n), rate);
    }

    /** Parses the metadata blocks from the "fLaC" marker at {@code p}; returns the first frame's offset. */
    private int readMetadata(int p) throws AudioFormatException {
        if (data.length < p + 8) {
            throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO,
                    name + ": FLAC file ends before its STREAMINFO block; the file was cut short, re-copy it");
        }
        p += 4; // "fLaC", checked by AudioDecoder
        boolean first = true;
        while (true) {
            if (p + 4 > data.length) {
                throw truncatedMetadata();
            }
            boolean last = (data[p] & 0x80) != 0;
            int type = data[p] & 0x7F;
            int length = (data[p + 1] & 0xFF) << 16 | (data[p + 2] & 0xFF) << 8 | (data[p + 3] & 0xFF);
            if (first && (type != 0 || length != 34)) {
                throw corrupt("FLAC file does not start with a STREAMINFO block (type " + type + ", " + length
                        + " bytes)");
            }
            if (!first && (type == 0 || type == 127)) {
                throw corrupt("FLAC metadata block of type " + type + " after STREAMINFO is invalid");
            }
            if ((long) p + 4 + length > data.length) {
                throw truncatedMetadata();
            }
            if (first) {
                readStreamInfo(p + 4);
                first = false;
            }
            p += 4 + length;
            if (last) {
                return p;
            }
        }
    }

    private void readStreamInfo(int p) throws AudioFormatException {
        FlacBitReader r = new FlacBitReader(data, p, p + 34);
        try {
            minBlock = r.uint(16);
            maxBlock = r.uint(16);
            r.bits(24); // min frame size
            r.bits(24); // max frame size
            rate = r.uint(20);
            channels = r.uint(3) + 1;
            bits = r.uint(5) + 1;
            total = r.bits(36);
        } catch (EndOfData e) {
            throw new AssertionError(e); // 34 bytes hold every field
        }
        if (rate == 0 || bits < 4 || minBlock < 16 || maxBlock < minBlock) {
            throw corrupt("FLAC STREAMINFO says " + channels + " channels, " + rate + " Hz, " + bits + " bits, blocks"
                    + " of " + minBlock + "-" + maxBlock + " samples");
        }
        block = new long[channels][];
    }

    /** Decodes one frame into {@link #block}; returns its block size. */
    private int readFrame(long frameIndex, long sampleIndex) throws AudioFormatException, EndOfData {
        if (!in.byteAligned()) {
            throw new AssertionError("frames start on a byte");
        }
        int start = in.bytePos();
        if (in.uint(14) != 0x3FFE || in.uint(1) != 0) {
            throw corrupt("FLAC frame sync lost at byte " + start + " after sample " + sampleIndex);
        }
        boolean variable = in.uint(1) == 1;
        int sizeCode = in.uint(4);
        int rateCode = in.uint(4);
        int channelCode = in.uint(4);
        int sizeBitsCode = in.uint(3);
        if (in.uint(1) != 0 || sizeCode == 0 || rateCode == 15 || channelCode > 10 || sizeBitsCode == 3) {
            throw corrupt("FLAC frame header at byte " + start + " uses reserved values");
        }
        long number = readUtf8Number(start);
        int size;
        if (sizeCode == 1) {
            size = 192;
        } else if (sizeCode <= 5) {
            size = 576 << (sizeCode - 2);
        } else if (sizeCode == 6) {
            size = in.uint(8) + 1;
        } else if (sizeCode == 7) {
            size = in.uint(16) + 1;
        } else {
            size = 256 << (sizeCode - 8);
        }
        int frameRate = rateCode == 0 ? rate : rateCode <= 11 ? RATES[rateCode]
                : rateCode == 12 ? in.uint(8) * 1000 : rateCode == 13 ? in.uint(16) : in.uint(16) * 10;
        int headerEnd = in.bytePos();
        int crc8 = in.uint(8);
        if (crc8 != Crc.crc8(data, start, headerEnd)) {
            throw corrupt("FLAC frame header CRC mismatch at byte " + start + " after sample " + sampleIndex);
        }
        int frameChannels = channelCode < 8 ? channelCode + 1 : 2;
        int frameBits = sizeBitsCode == 0 ? bits : SAMPLE_SIZES[sizeBitsCode];
        if (frameChannels != channels || frameBits != bits || frameRate != rate || size > maxBlock) {
            throw corrupt("FLAC frame at byte " + start + " has " + frameChannels + " channels, " + frameBits
                    + " bits, " + frameRate + " Hz, " + size + " samples; STREAMINFO says " + channels + ", " + bits
                    + ", " + rate + ", at most " + maxBlock + " (a spliced or damaged stream)");
        }
        long expected = variable ? sampleIndex : frameIndex;
        if (number != expected) {
            throw corrupt("FLAC frame at byte " + start + " is numbered " + number + " where " + expected
                    + " was due (a spliced or damaged stream)");
        }
        for (int c = 0; c < channels; c++) {
            if (block[c] == null || block[c].length < size) {
                block[c] = new long[size];
            }
            boolean side = (channelCode == 8 && c == 1) || (channelCode == 9 && c == 0)
                    || (channelCode == 10 && c == 1);
            readSubframe(block[c], size, bits + (side ? 1 : 0), start);
        }
        in.alignToByte();
        int crcEnd = in.bytePos();
        int crc16 = in.uint(16);
        if (crc16 != Crc.crc16(data, start, crcEnd)) {
            throw corrupt("FLAC frame at byte " + start + " (after sample " + sampleIndex + ") fails its CRC-16:"
                    + " the data is damaged");
        }
        decorrelate(channelCode, size);
        return size;
    }

    /** The frame or sample number: UTF-8-style, 1 to 7 bytes, up to 36 bits. */
    private long readUtf8Number(int frameStart) throws AudioFormatException, EndOfData {
        int b = in.uint(8);
        int ones = Integer.numberOfLeadingZeros(~(b << 24));
        if (ones == 1 || ones > 7) {
            throw corrupt("FLAC frame number at byte " + frameStart + " is not valid UTF-8 coding");
        }
        if (ones == 0) {
            return b;
        }
        long v = b & (0x7F >> ones);
        for (int i = 1; i < ones; i++) {
            int c = in.uint(8);
            if ((c & 0xC0) != 0x80) {
                throw corrupt("FLAC frame number at byte " + frameStart + " is not valid UTF-8 coding");
            }
            v = v << 6 | (c & 0x3F);
        }
        return v;
    }

    private void readSubframe(long[] out, int size, int sampleBits, int frameStart)
            throws AudioFormatException, EndOfData {
        if (in.uint(1) != 0) {
            throw corrupt("FLAC subframe in the frame at byte " + frameStart + " has its padding bit set");
        }
        int type = in.uint(6);
        int wasted = 0;
        if (in.uint(1) == 1) {
            wasted = in.unary() + 1;
            if (wasted >= sampleBits) {
                throw corrupt("FLAC subframe in the frame at byte " + frameStart + " wastes " + wasted + " of "
                        + sampleBits + " bits");
            }
        }
        int b = sampleBits - wasted;
        if (type == 0) {
            Arrays.fill(out, 0, size, in.sint(b));
        } else if (type == 1) {
            for (int i = 0; i < size; i++) {
                out[i] = in.sint(b);
            }
        } else if (type >= 8 && type <= 12) {
            int order = type - 8;
            checkOrder(order, size, frameStart);
            for (int i = 0; i < order; i++) {
                out[i] = in.sint(b);
            }
            FlacResidual.read(in, out, size, order, frameStart, name);
            FlacResidual.fixedPredict(out, size, order);
        } else if (type >= 32) {
            int order = type - 31;
            checkOrder(order, size, frameStart);
            for (int i = 0; i < order; i++) {
                out[i] = in.sint(b);
            }
            int precision = in.uint(4) + 1;
            int shift = (int) in.sint(5);
            if (precision == 16 || shift < 0) {
                throw corrupt("FLAC LPC subframe in the frame at byte " + frameStart + " has precision " + precision
                        + " and shift " + shift);
            }
            long[] coefs = new long[order];
            for (int i = 0; i < order; i++) {
                coefs[i] = in.sint(precision);
            }
            FlacResidual.read(in, out, size, order, frameStart, name);
            FlacResidual.lpcPredict(out, size, coefs, shift);
        } else {
            throw corrupt("FLAC subframe in the frame at byte " + frameStart + " has the reserved type " + type);
        }
        long limit = 1L << (sampleBits - 1);
        for (int i = 0; i < size; i++) {
            long v = out[i] << wasted;
            if (v < -limit || v >= limit) {
                throw corrupt("FLAC frame at byte " + frameStart + " decodes to a sample outside " + sampleBits
                        + " bits: the data is damaged");
            }
            out[i] = v;
        }
    }

    private void checkOrder(int order, int size, int frameStart) throws AudioFormatException {
        if (order > size) {
            throw corrupt("FLAC subframe in the frame at byte " + frameStart + " has predictor order " + order
                    + " for " + size + " samples");
        }
    }

    /** Undoes FLAC's stereo decorrelation in place (left/side, right/side, mid/side). */
    private void decorrelate(int channelCode, int size) {
        long[] a = block[0];
        long[] b = channels > 1 ? block[1] : null;
        for (int i = 0; i < size && b != null; i++) {
            if (channelCode == 8) {
                b[i] = a[i] - b[i];
            } else if (channelCode == 9) {
                a[i] = a[i] + b[i];
            } else if (channelCode == 10) {
                long mid = a[i] << 1 | (b[i] & 1);
                long side = b[i];
                a[i] = (mid + side) >> 1;
                b[i] = (mid - side) >> 1;
            }
        }
    }

    /** An ID3v1 tag ("TAG" + 125 bytes) that some taggers append after the last frame. */
    private boolean isTrailingTag() {
        int p = in.bytePos();
        return data.length - p == 128 && data[p] == 'T' && data[p + 1] == 'A' && data[p + 2] == 'G';
    }

    private AudioFormatException truncatedMetadata() {
        return new AudioFormatException(RejectReason.TRUNCATED_AUDIO,
                name + ": FLAC file ends inside its metadata; the file was cut short, re-copy it");
    }

    private AudioFormatException corrupt(String what) {
        return new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": " + what + RECODE);
    }
}
