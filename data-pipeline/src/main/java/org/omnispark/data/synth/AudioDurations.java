package org.omnispark.data.synth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the duration of a WAV (any encoding) or FLAC file from its header, without decoding samples. */
final class AudioDurations {
    private AudioDurations() {
    }

    /** Duration in seconds of the WAV or FLAC file at {@code path}. */
    static double seconds(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length >= 42 && b.getInt(0) == 0x43614c66) { // "fLaC", then STREAMINFO (big-endian fields)
            ByteBuffer be = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
            // STREAMINFO body at 8: 2+2+3+3 bytes of sizes, then 20 bits rate, 3 channels, 5 bps, 36 samples
            long packed = be.getLong(18);
            int rate = (int) (packed >>> 44);
            long totalSamples = packed & 0xFFFFFFFFFL;
            return totalSamples / (double) rate;
        }
        if (bytes.length < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
            throw new IOException(path + " is neither WAV nor FLAC");
        }
        int pos = 12;
        int rate = -1;
        int blockAlign = -1;
        while (pos + 8 <= bytes.length) {
            int id = b.getInt(pos);
            long size = b.getInt(pos + 4) & 0xffffffffL;
            if (id == 0x20746d66) {
                rate = b.getInt(pos + 12);
                blockAlign = b.getShort(pos + 20);
            } else if (id == 0x61746164 && rate > 0 && blockAlign > 0) {
                return size / blockAlign / (double) rate;
            }
            pos = (int) (pos + 8 + size + (size & 1));
        }
        throw new IOException(path + ": no fmt/data chunk");
    }
}
