package org.omnispark.data.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The golden folders of the codec tests ({@code /golden/mp3}, {@code /golden/ogg}, {@code /golden/webm} on the test
 * classpath, each written by its script in data-pipeline/src/test/scripts): a file's bytes, and ffmpeg's 16-bit
 * decodings downmixed to mono.
 */
final class GoldenAudio {
    private GoldenAudio() {
    }

    /** The bytes of {@code file} in {@code /golden/<folder>}, or an error naming the script that makes it. */
    static byte[] bytes(String folder, String file) {
        try (InputStream in = GoldenAudio.class.getResourceAsStream("/golden/" + folder + "/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /golden/" + folder + "/" + file
                        + "; run data-pipeline/src/test/scripts/make_" + folder + "_golden.sh");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Interleaved little-endian 16-bit PCM of {@code channels} channels as their mean, full scale 32768 = 1.0. */
    static double[] s16leMono(byte[] raw, int channels) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[raw.length / 2 / channels];
        for (int i = 0; i < out.length; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += b.getShort();
            }
            out[i] = sum / channels / 32768.0;
        }
        return out;
    }
}
