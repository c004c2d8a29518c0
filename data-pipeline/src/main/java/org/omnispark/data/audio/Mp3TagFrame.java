package org.omnispark.data.audio;

/**
 * The tag frame an encoder may put first in an MP3 stream, a layer III frame of silence that carries information
 * instead of audio: Xing/Info (frame count, optionally LAME's extension with the encoder delay and padding for
 * gapless decoding) or Fraunhofer's VBRI. Decoders skip it (ffmpeg does), so it is not counted as audio.
 *
 * @param declaredFrames the audio frames the Xing/Info tag declares, or -1
 * @param delay LAME's encoder delay in samples, or -1 without a LAME extension
 * @param padding LAME's padding at the end in samples (0 without a LAME extension)
 */
record Mp3TagFrame(long declaredFrames, int delay, int padding) {
    /**
     * The tag frame at {@code p} (whose header is {@code h}), or null when that frame is an audio frame. Only bytes
     * inside the frame (and inside {@code d}) are read.
     */
    static Mp3TagFrame read(byte[] d, int p, Mp3Header h) {
        int frameEnd = (int) Math.min(d.length, (long) p + h.frameBytes());
        int x = p + 4 + (h.crc() ? 2 : 0) + h.sideInfoBytes();
        String id = x + 8 <= frameEnd ? WavHeader.fourcc(d, x) : "";
        if (!id.equals("Xing") && !id.equals("Info")) {
            boolean vbri = p + 40 <= frameEnd && WavHeader.fourcc(d, p + 36).equals("VBRI");
            return vbri ? new Mp3TagFrame(-1, -1, 0) : null;
        }
        int flags = be32(d, x + 4);
        int o = x + 8;
        long declared = -1;
        if ((flags & 1) != 0 && o + 4 <= frameEnd) {
            declared = be32(d, o) & 0xFFFFFFFFL;
        }
        o += ((flags & 1) != 0 ? 4 : 0) + ((flags & 2) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 100 : 0)
                + ((flags & 8) != 0 ? 4 : 0);
        // LAME's extension: 9 bytes of encoder name ("LAME3.100", "Lavc59.37"), ..., at +21 the encoder delay
        // (12 bits) and the padding (12 bits)
        if (o + 24 > frameEnd || !isLetter(d[o]) || !isLetter(d[o + 1]) || !isLetter(d[o + 2])) {
            return new Mp3TagFrame(declared, -1, 0);
        }
        int delay = (d[o + 21] & 0xFF) << 4 | (d[o + 22] & 0xFF) >> 4;
        int padding = (d[o + 22] & 0x0F) << 8 | (d[o + 23] & 0xFF);
        return new Mp3TagFrame(declared, delay, padding);
    }

    /** Samples to drop at the start of the decoded audio frames: the encoder delay + the decoder's, or 0. */
    int skip() {
        return delay < 0 ? 0 : delay + Mp3Stream.DECODER_DELAY;
    }

    /** The samples ffmpeg outputs for {@code audioFrames} frames of {@code spf}: trimmed at both ends by LAME's tag. */
    long samples(long audioFrames, int spf) {
        long all = audioFrames * spf;
        long kept = all - skip() - Math.max(0, padding - Mp3Stream.DECODER_DELAY);
        return kept > 0 ? kept : all;
    }

    private static boolean isLetter(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    }

    private static int be32(byte[] d, int p) {
        return (d[p] & 0xFF) << 24 | (d[p + 1] & 0xFF) << 16 | (d[p + 2] & 0xFF) << 8 | (d[p + 3] & 0xFF);
    }
}
