package org.omnispark.data.audio;

import java.util.Arrays;
import org.omnispark.data.RejectReason;

/**
 * The packets of an Ogg file's one logical stream (RFC 3533), read by OmniSpark's own page walk: every page's capture
 * pattern "OggS", version 0, CRC-32 (polynomial 0x04C11DB7, not reflected, over the page with its CRC field zeroed)
 * and page sequence number are checked, packets are joined across pages through lacing values of 255, and the
 * continued-packet flag must agree with whether a packet is open. Work and memory are bounded by the file's real size:
 * the packets' bytes are copied once into one array no longer than the file.
 *
 * <p>Only files of ONE logical stream are read: a chained file (a second stream after the first one's end, as Ogg
 * radio recordings are) or a multiplexed one (pages of another serial number interleaved, as in Ogg video) is an
 * UNSUPPORTED_AUDIO reject that says how to extract the first audio stream with ffmpeg. Damage is CORRUPT_AUDIO (bad
 * CRC, missing page, bytes that are not a page), a page cut short TRUNCATED_AUDIO.
 */
final class OggStream {
    private static final int[] CRC = new int[256];
    private static final String EXTRACT = "extract the first audio stream with: ffmpeg -i in.ogg -map 0:a:0 -c copy"
            + " out.ogg";

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 24;
            for (int k = 0; k < 8; k++) {
                c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            }
            CRC[i] = c;
        }
    }

    private final byte[] payload;
    private final int[] offsets;
    private final int[] lengths;
    private final int packets;
    private final long lastGranule;
    private final int pages;
    private final int used;

    private OggStream(byte[] payload, int used, int[] offsets, int[] lengths, int packets, long lastGranule,
            int pages) {
        this.payload = payload;
        this.used = used;
        this.offsets = offsets;
        this.lengths = lengths;
        this.packets = packets;
        this.lastGranule = lastGranule;
        this.pages = pages;
    }

    /** Reads every page of {@code data}; the first page must be at byte 0 and carry the beginning-of-stream flag. */
    static OggStream read(byte[] data, String name) throws AudioFormatException {
        byte[] payload = new byte[data.length];
        int[] offsets = new int[16];
        int[] lengths = new int[16];
        int packets = 0;
        int used = 0;
        int open = -1; // the start, in payload, of a packet continued on the next page
        long serial = -1;
        long expectedSeq = 0;
        long lastGranule = -1;
        boolean ended = false;
        int page = 0;
        int p = 0;
        while (p < data.length) {
            if (data.length - p < 27) {
                throw truncated(name, page, p, data.length);
            }
            if (!WavHeader.fourcc(data, p).equals("OggS")) {
                throw corrupt(name, "byte " + p + " (page " + page + ") is not the start of an Ogg page (no 'OggS')");
            }
            if (data[p + 4] != 0) {
                throw corrupt(name, "page " + page + " has Ogg version " + (data[p + 4] & 0xFF) + ", only 0 exists");
            }
            int type = data[p + 5] & 0xFF;
            long granule = le(data, p + 6, 8);
            long pageSerial = le(data, p + 14, 4);
            long seq = le(data, p + 18, 4);
            int segments = data[p + 26] & 0xFF;
            int header = 27 + segments;
            if (data.length - p < header) {
                throw truncated(name, page, p, data.length);
            }
            int body = 0;
            for (int i = 0; i < segments; i++) {
                body += data[p + 27 + i] & 0xFF;
            }
            if (data.length - p - header < body) {
                throw truncated(name, page, p, data.length);
            }
            if (page == 0) {
                if ((type & 0x02) == 0) {
                    throw corrupt(name, "its first page lacks the beginning-of-stream flag");
                }
                serial = pageSerial;
            } else if (pageSerial != serial) {
                throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": " + (ended ? "a chained"
                        : "a multiplexed") + " Ogg file (page " + page + " belongs to a second logical stream) is not"
                        + " supported, only one stream per file; " + EXTRACT);
            } else if (ended) {
                throw corrupt(name, "page " + page + " follows the end-of-stream page");
            }
            if (seq != expectedSeq) {
                throw corrupt(name, "page " + page + " has sequence number " + seq + ", expected " + expectedSeq
                        + " (a page is missing or repeated)");
            }
            if (crc(data, p, header + body) != (int) le(data, p + 22, 4)) {
                throw corrupt(name, "page " + page + " (byte " + p + ") fails its CRC check");
            }
            boolean continued = (type & 0x01) != 0;
            if (continued != (open >= 0)) {
                throw corrupt(name, "page " + page + (continued ? " continues a packet that no page began"
                        : " begins a new packet while the previous one is unfinished"));
            }
            int q = p + header;
            int start = open >= 0 ? open : used;
            for (int i = 0; i < segments; i++) {
                int lacing = data[p + 27 + i] & 0xFF;
                System.arraycopy(data, q, payload, used, lacing);
                used += lacing;
                q += lacing;
                if (lacing < 255) {
                    if (packets == offsets.length) {
                        offsets = Arrays.copyOf(offsets, packets * 2);
                        lengths = Arrays.copyOf(lengths, packets * 2);
                    }
                    offsets[packets] = start;
                    lengths[packets++] = used - start;
                    start = used;
                }
            }
            if (segments > 0) {
                open = (data[p + 26 + segments] & 0xFF) == 255 ? start : -1; // a last lacing of 255: continued
            }
            if (granule != -1) {
                lastGranule = granule;
            }
            ended = (type & 0x04) != 0;
            expectedSeq = seq + 1;
            page++;
            p += header + body;
        }
        if (page == 0) {
            throw corrupt(name, "it holds no Ogg page");
        }
        return new OggStream(payload, used, offsets, lengths, packets, lastGranule, page);
    }

    /**
     * Returns this stream when its first packet is an Opus identification header ("OpusHead"; the caller has sent
     * complete Vorbis ones to {@link VorbisDecoding}); any other codec is an UNSUPPORTED_AUDIO reject naming it, an
     * unknown or unfinished first packet CORRUPT_AUDIO.
     */
    OggStream requireOpus(String name) throws AudioFormatException {
        if (startsWith(0, "OpusHead")) {
            return this;
        }
        // the first packet starts the payload; it may not be complete (a stream cut short): its first bytes decide
        if (begins("OpusHead") || begins("\u0001vorbis")) {
            throw corrupt(name, "its " + (begins("OpusHead") ? "OpusHead" : "Vorbis identification") + " packet never"
                    + " ends");
        }
        String codec = begins("\u007fFLAC") ? "FLAC in Ogg"
                : begins("Speex   ") ? "Speex" : begins("\u0080theora") ? "Theora video" : null;
        if (codec == null) {
            throw corrupt(name, "its first packet is no known codec's header (Opus, Vorbis, FLAC, Speex)");
        }
        throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": " + codec + " is not supported, of"
                + " the Ogg codecs only Opus and Vorbis; convert with: ffmpeg -i in.ogg -ar 16000 -ac 1 out.wav");
    }

    private boolean begins(String signature) {
        if (used < signature.length()) {
            return false;
        }
        for (int i = 0; i < signature.length(); i++) {
            if (payload[i] != (byte) signature.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The number of complete packets. */
    int packets() {
        return packets;
    }

    /** The array packet bytes lie in; see {@link #offset(int)}. */
    byte[] payload() {
        return payload;
    }

    int offset(int packet) {
        return offsets[packet];
    }

    int length(int packet) {
        return lengths[packet];
    }

    /** Whether packet {@code packet} starts with the ASCII (ISO-8859-1) {@code signature}. */
    boolean startsWith(int packet, String signature) {
        if (packet >= packets || lengths[packet] < signature.length()) {
            return false;
        }
        for (int i = 0; i < signature.length(); i++) {
            if (payload[offsets[packet] + i] != (byte) signature.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The granule position of the last page that has one, or -1. */
    long lastGranule() {
        return lastGranule;
    }

    int pages() {
        return pages;
    }

    /** Ogg's CRC-32 of data[from, from + length) with the CRC field (bytes 22-25 of the page) read as zero. */
    static int crc(byte[] data, int from, int length) {
        int c = 0;
        for (int i = 0; i < length; i++) {
            int b = i >= 22 && i < 26 ? 0 : data[from + i] & 0xFF;
            c = (c << 8) ^ CRC[((c >>> 24) ^ b) & 0xFF];
        }
        return c;
    }

    static long le(byte[] d, int p, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = v << 8 | (d[p + i] & 0xFFL);
        }
        return v;
    }

    static AudioFormatException corrupt(String name, String what) {
        return new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": damaged Ogg file: " + what
                + "; re-copy or re-encode it (ffmpeg -i in.ogg -ar 16000 -ac 1 out.wav)");
    }

    private static AudioFormatException truncated(String name, int page, int at, int length) {
        return new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": Ogg page " + page + " at byte " + at
                + " is cut off by the end of the file (" + length + " bytes); the file was cut short, re-copy it");
    }
}
