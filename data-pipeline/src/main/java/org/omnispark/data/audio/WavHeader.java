package org.omnispark.data.audio;

import java.nio.charset.StandardCharsets;
import org.omnispark.data.RejectReason;

/**
 * What a RIFF/WAVE file's chunks say about its samples: where the data chunk's frames start, how many whole frames
 * there are and how they are encoded. {@link #parse} walks the chunk list (any order, unknown chunks skipped, odd
 * sizes padded) and rejects what OmniSpark does not decode.
 *
 * @param encoding sample encoding of the data chunk
 * @param channels interleaved channels per frame, at least 1
 * @param sampleRate frames per second, positive
 * @param dataOffset byte offset of the first frame in the file
 * @param frames whole frames available in the data chunk
 */
record WavHeader(SampleEncoding encoding, int channels, int sampleRate, int dataOffset, int frames) {

    private static final int WAVE_FORMAT_PCM = 0x0001;
    private static final int WAVE_FORMAT_IEEE_FLOAT = 0x0003;
    private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;
    /** Bytes 2..15 of every standard KSDATAFORMAT_SUBTYPE GUID (the first 2 bytes are the format tag). */
    private static final byte[] GUID_TAIL = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};
    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;
    private static final String CONVERT = "; convert it with: sox in.wav -b 16 -e signed-integer out.wav";

    WavHeader {
        if (encoding == null || channels < 1 || sampleRate < 1 || dataOffset < 0 || frames < 0) {
            throw new IllegalArgumentException("invalid WAV layout: " + encoding + ", " + channels + " channels, "
                    + sampleRate + " Hz, data at " + dataOffset + ", " + frames + " frames");
        }
    }

    /** Bytes per frame (all channels of one sample instant). */
    int blockAlign() {
        return channels * encoding.bytesPerSample();
    }

    /**
     * Parses the header of a file that starts with "RIFF....WAVE".
     *
     * @throws AudioFormatException CORRUPT_AUDIO for a broken header or missing fmt/data chunk, TRUNCATED_AUDIO
     *     when a chunk (or the RIFF size) claims more bytes than the file has, UNSUPPORTED_AUDIO for codecs other
     *     than 8/16/24/32-bit PCM and 32/64-bit float
     */
    static WavHeader parse(byte[] d, String name) throws AudioFormatException {
        return parse(d, d.length, name);
    }

    /**
     * Parses the header from the first bytes {@code d} of a file of {@code fileLength} bytes; sizes are checked
     * against the file's length. Returns null when the data chunk's header lies beyond {@code d} (read more).
     */
    static WavHeader parse(byte[] d, long fileLength, String name) throws AudioFormatException {
        if (fileLength < 12) {
            throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO,
                    name + ": WAV file ends inside its 12-byte RIFF header (" + d.length + " bytes)");
        }
        if (!fourcc(d, 0).equals("RIFF") || !fourcc(d, 8).equals("WAVE")) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO,
                    name + ": not a RIFF/WAVE file (starts with '" + fourcc(d, 0) + "', form '" + fourcc(d, 8)
                            + "'); re-encode it as WAV or FLAC");
        }
        long riffEnd = 8 + u32(d, 4);
        boolean riffSaysTruncated = u32(d, 4) != 0 && u32(d, 4) != UNKNOWN_SIZE && riffEnd > fileLength;
        int[] fmt = null; // encoding ordinal, channels, sampleRate
        int pos = 12;
        while (pos + 8 <= d.length) {
            String id = fourcc(d, pos);
            long size = u32(d, pos + 4);
            int body = pos + 8;
            long available = fileLength - body;
            if (id.equals("data")) {
                if (fmt == null) {
                    throw new AudioFormatException(RejectReason.CORRUPT_AUDIO,
                            name + ": WAV data chunk comes before any fmt chunk; the header is broken" + CONVERT);
                }
                if (size == UNKNOWN_SIZE || (size == 0 && available > 0)) {
                    size = available; // streaming writers leave the size unset: the data runs to the end of file
                } else if (size > available) {
                    throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": WAV data chunk declares "
                            + size + " bytes but only " + available + " follow; the file was cut short, re-copy it");
                }
                SampleEncoding enc = SampleEncoding.values()[fmt[0]];
                int blockAlign = fmt[1] * enc.bytesPerSample();
                long frames = size / blockAlign;
                if (frames > Integer.MAX_VALUE - 16) {
                    throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": WAV data of " + frames
                            + " frames is too long for one array; cut it into files");
                }
                return new WavHeader(enc, fmt[1], fmt[2], body, (int) frames);
            }
            if (size > available) {
                throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": WAV '" + id
                        + "' chunk declares " + size + " bytes but only " + available + " follow, and no data chunk"
                        + " came before it; the file was cut short, re-copy it");
            }
            if (id.equals("fmt ")) {
                if (body + size > d.length) {
                    return null; // only part of the file was given
                }
                fmt = parseFmt(d, body, (int) size, name);
            }
            long next = body + size + (size & 1);
            if (next + 8 > d.length && fileLength > d.length) {
                return null; // the next chunk header lies beyond the bytes given
            }
            pos = (int) next;
        }
        RejectReason reason = riffSaysTruncated ? RejectReason.TRUNCATED_AUDIO : RejectReason.CORRUPT_AUDIO;
        throw new AudioFormatException(reason, name + ": WAV file has no " + (fmt == null ? "fmt" : "data")
                + " chunk" + (riffSaysTruncated ? " and is shorter than its RIFF size " + riffEnd + " bytes"
                : "") + CONVERT);
    }

    /** Returns {encoding ordinal, channels, sampleRate}. */
    private static int[] parseFmt(byte[] d, int p, int size, String name) throws AudioFormatException {
        if (size < 16) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO,
                    name + ": WAV fmt chunk has " + size + " bytes, needs at least 16" + CONVERT);
        }
        int tag = u16(d, p);
        int channels = u16(d, p + 2);
        long sampleRate = u32(d, p + 4);
        int blockAlign = u16(d, p + 12);
        int bits = u16(d, p + 14);
        if (channels == 0 || sampleRate == 0 || sampleRate > Integer.MAX_VALUE || bits == 0) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": WAV fmt chunk says " + channels
                    + " channels, " + sampleRate + " Hz, " + bits + " bits; the header is broken" + CONVERT);
        }
        if (tag == WAVE_FORMAT_EXTENSIBLE) {
            if (size < 40) {
                throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name
                        + ": WAVE_FORMAT_EXTENSIBLE fmt chunk has " + size + " bytes, needs 40" + CONVERT);
            }
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (d[p + 26 + i] != GUID_TAIL[i]) {
                    throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO,
                            name + ": WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID" + CONVERT);
                }
            }
            // Valid bits (p + 18) may be fewer than the container's: they are left-justified, so the container's
            // full scale is still right.
            tag = u16(d, p + 24);
        }
        SampleEncoding enc = encodingOf(tag, bits, name);
        int expectedAlign = channels * enc.bytesPerSample();
        if (blockAlign != expectedAlign) {
            throw new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": WAV block align " + blockAlign
                    + " does not match " + channels + " channels x " + bits + " bits (" + expectedAlign + ")"
                    + CONVERT);
        }
        return new int[] {enc.ordinal(), channels, (int) sampleRate};
    }

    private static SampleEncoding encodingOf(int tag, int bits, String name) throws AudioFormatException {
        if (tag == WAVE_FORMAT_PCM) {
            switch (bits) {
                case 8: return SampleEncoding.PCM_U8;
                case 16: return SampleEncoding.PCM_S16;
                case 24: return SampleEncoding.PCM_S24;
                case 32: return SampleEncoding.PCM_S32;
                default:
                    throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": " + bits
                            + "-bit PCM is not supported (only 8, 16, 24, 32)" + CONVERT);
            }
        }
        if (tag == WAVE_FORMAT_IEEE_FLOAT) {
            if (bits == 32) {
                return SampleEncoding.FLOAT32;
            }
            if (bits == 64) {
                return SampleEncoding.FLOAT64;
            }
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO,
                    name + ": " + bits + "-bit IEEE float is not supported (only 32, 64)" + CONVERT);
        }
        throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO,
                name + ": WAV codec " + codecName(tag) + " is not supported (only PCM and IEEE float)" + CONVERT);
    }

    private static String codecName(int tag) {
        switch (tag) {
            case 0x0002: return "MS ADPCM (0x0002)";
            case 0x0006: return "A-law (0x0006)";
            case 0x0007: return "mu-law (0x0007)";
            case 0x0011: return "IMA ADPCM (0x0011)";
            case 0x0031: return "GSM 6.10 (0x0031)";
            case 0x0050: return "MPEG (0x0050)";
            case 0x0055: return "MPEG layer 3 (0x0055)";
            default: return String.format("0x%04X", tag);
        }
    }

    static String fourcc(byte[] d, int p) {
        return p + 4 <= d.length ? new String(d, p, 4, StandardCharsets.ISO_8859_1) : "";
    }

    private static int u16(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] d, int p) {
        return (d[p] & 0xFFL) | (d[p + 1] & 0xFFL) << 8 | (d[p + 2] & 0xFFL) << 16 | (d[p + 3] & 0xFFL) << 24;
    }
}
