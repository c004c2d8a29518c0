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
     * The duration in seconds that a WAV or FLAC header declares, or NaN when the head says nothing usable.
     *
     * @param head the file's first bytes (up to {@link #HEAD_BYTES})
     * @param fileLength the file's length in bytes
     */
    public static double seconds(byte[] head, long fileLength) {
        if (head.length >= 12 && WavHeader.fourcc(head, 0).equals("RIFF") && WavHeader.fourcc(head, 8).equals("WAVE")) {
            return wavSeconds(head, fileLength);
        }
        int p = Id3.present(head) ? Id3.skip(head) : 0;
        if (p >= 0 && (long) p + 26 <= head.length && WavHeader.fourcc(head, p).equals("fLaC")) {
            int si = p + 8;
            long rate = (head[si + 10] & 0xFFL) << 12 | (head[si + 11] & 0xFFL) << 4 | (head[si + 12] & 0xF0L) >> 4;
            long total = (head[si + 13] & 0x0FL) << 32 | (head[si + 14] & 0xFFL) << 24 | (head[si + 15] & 0xFFL) << 16
                    | (head[si + 16] & 0xFFL) << 8 | (head[si + 17] & 0xFFL);
            return rate > 0 && total > 0 ? total / (double) rate : Double.NaN;
        }
        return Double.NaN;
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
