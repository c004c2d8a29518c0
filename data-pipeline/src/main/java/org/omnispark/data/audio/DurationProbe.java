package org.omnispark.data.audio;

/**
 * A best-effort duration of an audio file from its first bytes and its length, without decoding: used only to plan
 * which shard an utterance goes to (a header that lies makes a shard a little less balanced, nothing more; the
 * stored duration is the decoded one).
 */
public final class DurationProbe {
    /** How many bytes of a file the probe reads. */
    public static final int HEAD_BYTES = 8192;

    private DurationProbe() {
    }

    /**
     * The duration in seconds that a WAV or FLAC header declares, or an MP3's (see {@link #mp3Seconds}), or an Ogg
     * Opus file's when the head is the whole file (see {@link #oggSeconds}), or NaN when
     * the head says nothing usable.
     *
     * @param head the file's first bytes (up to {@link #HEAD_BYTES})
     * @param fileLength the file's length in bytes
     */
    public static double seconds(byte[] head, long fileLength) {
        if (head.length >= 12 && WavHeader.fourcc(head, 0).equals("RIFF") && WavHeader.fourcc(head, 8).equals("WAVE")) {
            return wavSeconds(head, fileLength);
        }
        if (head.length >= 4 && WavHeader.fourcc(head, 0).equals("OggS")) {
            return oggSeconds(head, fileLength);
        }
        int p = Id3.present(head) ? Id3.skip(head) : 0;
        if (p >= 0 && (long) p + 26 <= head.length && WavHeader.fourcc(head, p).equals("fLaC")) {
            int si = p + 8;
            long rate = (head[si + 10] & 0xFFL) << 12 | (head[si + 11] & 0xFFL) << 4 | (head[si + 12] & 0xF0L) >> 4;
            long total = (head[si + 13] & 0x0FL) << 32 | (head[si + 14] & 0xFFL) << 24 | (head[si + 15] & 0xFFL) << 16
                    | (head[si + 16] & 0xFFL) << 8 | (head[si + 17] & 0xFFL);
            return rate > 0 && total > 0 ? total / (double) rate : Double.NaN;
        }
        return p >= 0 && p < head.length ? mp3Seconds(head, p, fileLength) : Double.NaN;
    }

    /**
     * An MP3's duration: exact from a Xing/Info tag frame's frame count (less LAME's delay and padding); else, when
     * every frame header in the head has the same bitrate (CBR), the bytes after the first frame over that bitrate.
     * NaN for VBR without a tag frame (the first frames' bitrate says nothing about the rest: silence is coded at low
     * bitrates, and an estimate from it could exceed filters.max_duration_s and wrongly reject the file unread) and
     * when an ID3v2 tag (cover art) hides the first frame beyond the head.
     */
    static double mp3Seconds(byte[] head, int p, long fileLength) {
        while (p < head.length && head[p] == 0) {
            p++;
        }
        Mp3Header h = Mp3Header.parse(head, p);
        if (h == null || h.layer() != 3) {
            return Double.NaN;
        }
        Mp3TagFrame tag = Mp3TagFrame.read(head, p, h);
        if (tag != null && tag.declaredFrames() > 0) {
            return tag.samples(tag.declaredFrames(), h.samplesPerFrame()) / (double) h.sampleRate();
        }
        int first = tag == null ? p : p + h.frameBytes();
        Mp3Header f = Mp3Header.parse(head, first);
        if (f == null || !f.sameStream(h)) {
            return Double.NaN;
        }
        int frames = 0;
        for (int q = first; q + 4 <= head.length && frames < 64; frames++) {
            Mp3Header g = Mp3Header.parse(head, q);
            if (g == null || !g.sameStream(f)) {
                break;
            }
            if (g.bitrate() != f.bitrate()) {
                return Double.NaN; // VBR without a tag frame
            }
            q += g.frameBytes();
        }
        return frames >= 2 ? (fileLength - first) * 8.0 / f.bitrate() : Double.NaN;
    }

    /**
     * An Ogg Opus file's exact duration (its last page's granule position less the pre-skip, as the decoder trims)
     * when the head holds the whole file; NaN otherwise (the first pages' granule positions say nothing about the
     * length, and a file's end is not read here), and for other codecs and damaged files.
     */
    static double oggSeconds(byte[] head, long fileLength) {
        if (head.length != fileLength) {
            return Double.NaN;
        }
        try {
            OggStream s = OggStream.read(head, "probe");
            OpusHead h = OpusHead.parse(s.requireOpus("probe"), "probe");
            return OpusPacketDecoder.scan(OpusPackets.ofOgg(s), h, "probe") / (double) OpusHead.RATE;
        } catch (AudioFormatException | RuntimeException | LinkageError e) {
            return Double.NaN; // the decode gives the reject; the probe only plans
        }
    }

    private static double wavSeconds(byte[] d, long fileLength) {
        long rate = 0;
        long blockAlign = 0;
        int pos = 12;
        while (pos + 8 <= d.length) {
            String id = WavHeader.fourcc(d, pos);
            long size = u32(d, pos + 4);
            int body = pos + 8;
            if (id.equals("fmt ") && size >= 16 && body + 16 <= d.length) {
                rate = u32(d, body + 4);
                blockAlign = (d[body + 12] & 0xFF) | (d[body + 13] & 0xFF) << 8;
            } else if (id.equals("data")) {
                long available = Math.max(0, fileLength - body);
                long bytes = size == 0 || size == 0xFFFFFFFFL || size > available ? available : size;
                return rate > 0 && blockAlign > 0 ? bytes / (double) blockAlign / rate : Double.NaN;
            }
            pos = (int) Math.min(Integer.MAX_VALUE, body + size + (size & 1));
        }
        return Double.NaN;
    }

    private static long u32(byte[] d, int p) {
        return (d[p] & 0xFFL) | (d[p + 1] & 0xFFL) << 8 | (d[p + 2] & 0xFFL) << 16 | (d[p + 3] & 0xFFL) << 24;
    }
}
