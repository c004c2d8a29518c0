package org.omnispark.data.audio;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.omnispark.data.RejectReason;

/**
 * The frames of the first audio track of a Matroska or WebM file (EBML; DocType "webm" or "matroska"), read by
 * OmniSpark's own bounded element walk: the EBML header, then one Segment (of known or unknown size, as live writers
 * such as browsers' MediaRecorder leave it) whose Tracks name the codec (CodecID; CodecPrivate, the codec's own
 * headers, gives the rate and channels) and whose Clusters (of known or unknown size) hold SimpleBlocks and
 * BlockGroups (a Block with an optional DiscardPadding). CodecDelay is not read: ffmpeg trims Opus by the OpusHead's
 * pre-skip, and ffmpeg's own muxer writes a CodecDelay that disagrees with it (104 against 312 samples in the
 * fixtures). Frames of the chosen track are kept in file order; laced blocks (Xiph, fixed-size and EBML lacing:
 * mkvmerge writes them for some audio; ffmpeg and libwebm write none for Opus) are split into their frames
 * ({@link MatroskaLacing}). Every other element (SeekHead, Cues, Tags, Void, CRC-32, other tracks' blocks) is skipped
 * by its size.
 *
 * <p>Work and memory are bounded by the file's real size: every size field is checked against the bytes its parent
 * holds before it is used, nothing is allocated by a header field, and the frames' bytes are copied once into one
 * array no longer than the file. An element that runs past the end of the file is TRUNCATED_AUDIO, one that runs past
 * its parent or bytes that are not an element CORRUPT_AUDIO; a track with content encodings (compression,
 * encryption) UNSUPPORTED_AUDIO. Which codecs are decoded is the caller's choice ({@link #codecId()}).
 */
final class MatroskaDemuxer {
    private static final int EBML = 0x1A45DFA3;
    private static final int DOC_TYPE = 0x4282;
    private static final int SEGMENT = 0x18538067;
    private static final int TRACKS = 0x1654AE6B;
    private static final int TRACK_ENTRY = 0xAE;
    private static final int TRACK_NUMBER = 0xD7;
    private static final int TRACK_TYPE = 0x83;
    private static final int CODEC_ID = 0x86;
    private static final int CODEC_PRIVATE = 0x63A2;
    private static final int CONTENT_ENCODINGS = 0x6D80;
    private static final int CLUSTER = 0x1F43B675;
    private static final int SIMPLE_BLOCK = 0xA3;
    private static final int BLOCK_GROUP = 0xA0;
    private static final int BLOCK = 0xA1;
    private static final int DISCARD_PADDING = 0x75A2;
    /** What a Cluster may hold: an unknown-size Cluster ends at the first element that is not one of these. */
    private static final int[] CLUSTER_CHILDREN = {0xE7, SIMPLE_BLOCK, BLOCK_GROUP, 0xA7, 0xAB, 0xEC, 0xBF, 0x5854,
        0xAF};

    private final byte[] data;
    private final String name;
    private int p;
    // the element header just read: id, body start, size (-1 = unknown)
    private int id;
    private int body;
    private long size;

    private int track = -1;
    private String codecId;
    private int privateOffset = -1;
    private int privateLength;
    private boolean encoded;
    private boolean tracksSeen;
    private int segmentEnd = -1;

    private final byte[] payload;
    private int used;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private long[] discardNs = new long[16];
    private int frames;

    private MatroskaDemuxer(byte[] data, String name) {
        this.data = data;
        this.name = name;
        this.payload = new byte[data.length];
    }

    /** Whether {@code d} starts with an EBML header's ID (Matroska, WebM). */
    static boolean isEbml(byte[] d) {
        return d.length >= 4 && (d[0] & 0xFF) == 0x1A && (d[1] & 0xFF) == 0x45 && (d[2] & 0xFF) == 0xDF
                && (d[3] & 0xFF) == 0xA3;
    }

    /**
     * Reads the file's first audio track and its frames.
     *
     * @throws AudioFormatException as described in the class comment; UNSUPPORTED_AUDIO when the file holds no audio
     *     track or another DocType
     */
    static MatroskaDemuxer read(byte[] data, String name) throws AudioFormatException {
        MatroskaDemuxer m = new MatroskaDemuxer(data, name);
        m.readFile();
        return m;
    }

    private void readFile() throws AudioFormatException {
        header(data.length);
        if (id != EBML || size < 0) {
            throw corrupt("it does not start with an EBML header");
        }
        String docType = null;
        int end = body + (int) size;
        for (p = body; p < end;) {
            header(end);
            if (id == DOC_TYPE) {
                docType = new String(data, body, (int) size, StandardCharsets.ISO_8859_1).replace("\0", "");
            }
            p = body + (int) size;
        }
        if (!"webm".equals(docType) && !"matroska".equals(docType)) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": an EBML file of DocType '"
                    + docType + "' is not supported, only WebM and Matroska; convert with: ffmpeg -i in -ac 1 -ar"
                    + " 16000 out.wav");
        }
        while (p < data.length) {
            header(data.length);
            if (id == SEGMENT) {
                segmentEnd = size < 0 ? data.length : body + (int) size;
                readSegment(segmentEnd);
                break; // what follows the first Segment (a chained one, junk) is not read
            }
            requireKnownSize();
            p = body + (int) size;
        }
        if (!tracksSeen && (segmentEnd < 0 || segmentEnd == data.length)) {
            throw new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": the file ends (" + data.length
                    + " bytes) before its Tracks say what it holds; the file was cut short, re-copy it");
        }
        if (!tracksSeen) {
            throw corrupt("its Segment holds no Tracks");
        }
        if (track < 0) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": this " + docType + " file holds"
                    + " no audio track; check that it is the audio you meant");
        }
        if (encoded) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": its audio track is compressed or"
                    + " encrypted (Matroska ContentEncodings), which is not supported; remux it: ffmpeg -i in.mka"
                    + " -map 0:a:0 -c copy out.webm, or convert with: ffmpeg -i in.mka -ac 1 -ar 16000 out.wav");
        }
    }

    private void readSegment(int end) throws AudioFormatException {
        p = body;
        while (p < end) {
            header(end);
            if (id == CLUSTER) {
                if (!tracksSeen) {
                    throw corrupt("a Cluster comes before the Tracks that say what it holds");
                }
                readCluster(size < 0 ? -1 : body + (int) size, end);
                continue;
            }
            requireKnownSize();
            int next = body + (int) size;
            if (id == TRACKS && !tracksSeen) {
                tracksSeen = true;
                readTracks(next);
            }
            p = next;
        }
    }

    private void readTracks(int end) throws AudioFormatException {
        for (p = body; p < end;) {
            header(end);
            requireKnownSize();
            int next = body + (int) size;
            if (id == TRACK_ENTRY && codecId == null) {
                readTrackEntry(next);
            }
            p = next;
        }
    }

    private void readTrackEntry(int end) throws AudioFormatException {
        long number = -1;
        long type = -1;
        String codec = "";
        int privOffset = -1;
        int privLength = 0;
        boolean enc = false;
        for (p = body; p < end;) {
            header(end);
            requireKnownSize();
            int next = body + (int) size;
            switch (id) {
                case TRACK_NUMBER -> number = uint();
                case TRACK_TYPE -> type = uint();
                case CODEC_ID -> codec = new String(data, body, (int) size, StandardCharsets.ISO_8859_1)
                        .replace("\0", "");
                case CODEC_PRIVATE -> {
                    privOffset = body;
                    privLength = (int) size;
                }
                case CONTENT_ENCODINGS -> enc = true;
                default -> { }
            }
            p = next;
        }
        if (type != 2) {
            return; // not audio
        }
        if (number < 1 || number > Integer.MAX_VALUE) {
            throw corrupt("its audio track has track number " + number);
        }
        track = (int) number;
        codecId = codec;
        privateOffset = privOffset;
        privateLength = privLength;
        encoded = enc;
    }

    private void readCluster(int end, int segmentEnd) throws AudioFormatException {
        int limit = end < 0 ? segmentEnd : end;
        p = body;
        while (p < limit) {
            int start = p;
            header(limit);
            if (end < 0 && Arrays.stream(CLUSTER_CHILDREN).noneMatch(c -> c == id)) {
                p = start; // an unknown-size Cluster ends where an element that is not its child begins
                return;
            }
            requireKnownSize();
            int next = body + (int) size;
            if (id == SIMPLE_BLOCK) {
                block(body, next, 0);
            } else if (id == BLOCK_GROUP) {
                int blockStart = -1;
                int blockEnd = -1;
                long discard = 0;
                for (p = body; p < next;) {
                    header(next);
                    requireKnownSize();
                    if (id == BLOCK) {
                        blockStart = body;
                        blockEnd = body + (int) size;
                    } else if (id == DISCARD_PADDING) {
                        discard = sint();
                    }
                    p = body + (int) size;
                }
                if (blockStart >= 0) {
                    block(blockStart, blockEnd, discard);
                }
            }
            p = next;
        }
    }

    /** Keeps the frames of a (Simple)Block in data[from, to) when it belongs to the chosen track. */
    private void block(int from, int to, long discard) throws AudioFormatException {
        p = from;
        long number = vint(to, false);
        if (number != track) {
            return;
        }
        if (to - p < 3) {
            throw corrupt("a block at byte " + from + " ends inside its header");
        }
        int lacing = (data[p + 2] >> 1) & 3;
        p += 3;
        if (lacing == 0) {
            frame(p, to - p, discard);
            return;
        }
        int[] sizes = MatroskaLacing.sizes(data, p, to, lacing, this, from);
        p = sizes[sizes.length - 1]; // the first frame
        for (int i = 0; i < sizes.length - 1; i++) {
            frame(p, sizes[i], i == sizes.length - 2 ? discard : 0);
            p += sizes[i];
        }
    }

    private void frame(int from, int length, long discard) {
        if (frames == offsets.length) {
            offsets = Arrays.copyOf(offsets, frames * 2);
            lengths = Arrays.copyOf(lengths, frames * 2);
            discardNs = Arrays.copyOf(discardNs, frames * 2);
        }
        System.arraycopy(data, from, payload, used, length);
        offsets[frames] = used;
        lengths[frames] = length;
        discardNs[frames++] = discard;
        used += length;
    }

    /** Reads an element header at p (ID, size) that must lie, with its known-size body, before {@code end}. */
    private void header(int end) throws AudioFormatException {
        int start = p;
        int first = p < end ? data[p] & 0xFF : 0;
        int width = Integer.numberOfLeadingZeros(first) - 23;
        if (first == 0 || width > 4) {
            throw p >= data.length ? truncated(start) : corrupt("byte " + start + " is not the start of an EBML"
                    + " element");
        }
        if (end - p < width) {
            throw truncatedOrCorrupt(start, end);
        }
        int v = 0;
        for (int i = 0; i < width; i++) {
            v = v << 8 | (data[p++] & 0xFF);
        }
        id = v;
        size = vint(end, true);
        body = p;
        if (size >= 0 && size > end - body) {
            throw truncatedOrCorrupt(start, end);
        }
    }

    /** Reads a variable-size integer at p (its marker bit removed); -1 when {@code unknown} allows all ones. */
    private long vint(int end, boolean unknown) throws AudioFormatException {
        int start = p;
        int first = p < end ? data[p] & 0xFF : 0;
        int width = Integer.numberOfLeadingZeros(first) - 23;
        if (p >= end || first == 0) {
            throw p >= end ? truncatedOrCorrupt(start, end) : corrupt("byte " + start + " is not a valid EBML"
                    + " number");
        }
        if (end - p < width) {
            throw truncatedOrCorrupt(start, end);
        }
        long v = first & (0xFF >> width);
        boolean ones = v == (0xFF >> width);
        for (int i = 1; i < width; i++) {
            int b = data[p + i] & 0xFF;
            ones &= b == 0xFF;
            v = v << 8 | b;
        }
        p += width;
        return unknown && ones ? -1 : v;
    }

    private void requireKnownSize() throws AudioFormatException {
        if (size < 0) {
            throw corrupt("element 0x" + Integer.toHexString(id) + " at byte " + body + " has an unknown size (only"
                    + " a Segment or a Cluster may)");
        }
    }

    private long uint() throws AudioFormatException {
        if (size > 8) {
            throw corrupt("an integer element at byte " + body + " has " + size + " bytes");
        }
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = v << 8 | (data[body + i] & 0xFF);
        }
        return v;
    }

    private long sint() throws AudioFormatException {
        long v = uint();
        return size == 0 || size == 8 ? v : v << (64 - 8 * size) >> (64 - 8 * size);
    }

    private AudioFormatException truncatedOrCorrupt(int start, int end) {
        return end == data.length ? truncated(start) : corrupt("the element at byte " + start + " runs past the"
                + " element that holds it");
    }

    private AudioFormatException truncated(int at) {
        return new AudioFormatException(RejectReason.TRUNCATED_AUDIO, name + ": the Matroska/WebM element at byte "
                + at + " is cut off by the end of the file (" + data.length + " bytes); the file was cut short,"
                + " re-copy it");
    }

    AudioFormatException corrupt(String what) {
        return new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": damaged Matroska/WebM file: " + what
                + "; re-copy or re-encode it (ffmpeg -i in.webm -ar 16000 -ac 1 out.wav)");
    }

    /** The audio track's CodecID, e.g. "A_OPUS", "A_VORBIS". */
    String codecId() {
        return codecId;
    }

    /** The array the CodecPrivate lies in (the file itself); see {@link #privateOffset()}. */
    byte[] data() {
        return data;
    }

    /** Where CodecPrivate starts in {@link #data()}, or -1 when the track has none. */
    int privateOffset() {
        return privateOffset;
    }

    int privateLength() {
        return privateLength;
    }

    /** The chosen track's frames as Opus packets, DiscardPadding converted to samples at {@code rate}. */
    OpusPackets packets(int rate) {
        int[] discard = new int[frames];
        for (int i = 0; i < frames; i++) {
            // as ffmpeg's av_rescale_q: to the nearest sample; a negative padding discards nothing
            discard[i] = (int) Math.max(0, Math.min(Integer.MAX_VALUE,
                    Math.round(discardNs[i] / 1e9 * rate)));
        }
        return new OpusPackets("Matroska/WebM", payload, offsets, lengths, frames, discard, -1);
    }
}
