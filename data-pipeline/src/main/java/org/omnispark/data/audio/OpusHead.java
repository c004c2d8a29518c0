package org.omnispark.data.audio;

import org.omnispark.data.RejectReason;

/**
 * An Opus stream's identification header (RFC 7845 section 5.1, the "OpusHead" packet; in Matroska/WebM the track's
 * CodecPrivate), in Ogg checked together with the comment header that must follow it ("OpusTags", not read).
 *
 * @param channels 1 or 2 (mapping family 0 or 1; more channels are an UNSUPPORTED_AUDIO reject)
 * @param preSkip samples at 48 kHz to drop from the start of the decoded output
 * @param inputRate the encoder's input rate (information only: Opus always decodes at 48 kHz here)
 * @param outputGain the gain to apply, in Q7.8 dB (as libopus's OPUS_SET_GAIN takes it)
 */
record OpusHead(int channels, int preSkip, long inputRate, int outputGain) {
    /** Opus decodes at 48 kHz: the rate of granule positions and pre-skip. */
    static final int RATE = 48000;

    /** Parses packets 0 and 1 of {@code s}; the caller has checked that packet 0 starts with "OpusHead". */
    static OpusHead parse(OggStream s, String name) throws AudioFormatException {
        OpusHead h = parse(OpusPackets.ofOgg(s), s.payload(), s.offset(0), s.length(0), name);
        if (!s.startsWith(1, "OpusTags")) {
            throw OggStream.corrupt(name, "the OpusHead header is not followed by an OpusTags header");
        }
        return h;
    }

    /**
     * Parses an OpusHead held in {@code d[p, p + length)} (a Matroska track's CodecPrivate), checking its "OpusHead"
     * signature; {@code context} only says how to word a CORRUPT_AUDIO reject.
     */
    static OpusHead parse(OpusPackets context, byte[] d, int p, int length, String name) throws AudioFormatException {
        if (length < 19) {
            throw context.corrupt(name, "its OpusHead header has " + length + " bytes, at least 19 are needed");
        }
        for (int i = 0; i < 8; i++) {
            if (d[p + i] != (byte) "OpusHead".charAt(i)) {
                throw context.corrupt(name, "its Opus header does not start with 'OpusHead'");
            }
        }
        int version = d[p + 8] & 0xFF;
        if (version >> 4 != 0) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": Opus header version " + version
                    + " is not supported (only 0.x, RFC 7845); re-encode it: ffmpeg -i in.opus -ar 16000 -ac 1"
                    + " out.wav");
        }
        int channels = d[p + 9] & 0xFF;
        int preSkip = (int) OggStream.le(d, p + 10, 2);
        long inputRate = OggStream.le(d, p + 12, 4);
        int gain = (short) OggStream.le(d, p + 16, 2);
        int family = d[p + 18] & 0xFF;
        if (channels == 0) {
            throw context.corrupt(name, "its OpusHead header says 0 channels");
        }
        if (channels > 2 || family > 1) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": Opus with " + channels
                    + " channels (mapping family " + family + ") is not supported, only mono and stereo; downmix it:"
                    + " ffmpeg -i in.opus -ac 1 -ar 16000 out.wav");
        }
        if (family == 1 && (length < 21 + channels || d[p + 19] != 1)) {
            // family 1 with 1-2 channels: one stream; anything else would need Opus's multistream decoder
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, name + ": a multistream Opus file is not"
                    + " supported; downmix it: ffmpeg -i in.opus -ac 1 -ar 16000 out.wav");
        }
        return new OpusHead(channels, preSkip, inputRate, gain);
    }
}
