package org.omnispark.data.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The checked-in Ogg parity fixtures (src/test/resources/golden/ogg, made by src/test/scripts/make_ogg_golden.sh):
 * Ogg Opus files encoded by ffmpeg's libopus from two espeak-ng utterances, each with ffmpeg's own decoding at 48 kHz
 * as s16le, the source WAVs they were encoded from, and one Ogg Vorbis file (rejected for now).
 */
public final class OggFixtures {
    /** Every Opus fixture, by base name (the files are NAME.opus). */
    public static final List<String> OPUS = List.of("a_16k_mono_opus24", "a_16k_mono_opus12_voip",
            "b_48k_stereo_opus64", "b_44k_stereo_opus32_60ms");
    /** The Ogg Vorbis fixture (a file name). */
    public static final String VORBIS = "a_16k_mono_vorbis.ogg";

    private OggFixtures() {
    }

    /** The bytes of {@code file} in the fixture folder (e.g. "a_16k_mono_opus24.opus", "src_a_16k.wav"). */
    public static byte[] bytes(String file) {
        try (InputStream in = OggFixtures.class.getResourceAsStream("/golden/ogg/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /golden/ogg/" + file
                        + "; run data-pipeline/src/test/scripts/make_ogg_golden.sh");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Opus file of a fixture. */
    public static byte[] opus(String name) {
        return bytes(name + ".opus");
    }

    /** What is said: the "a_" files hold {@link Mp3Fixtures#TEXT_A}, the 0.6 s "b_" files only "a brother". */
    public static String text(String name) {
        return name.startsWith("a_") ? Mp3Fixtures.TEXT_A : "a brother";
    }

    /** ffmpeg's decoding of a fixture at 48 kHz, downmixed here to the mean of its channels, 32768 = 1.0. */
    public static double[] ffmpegMono(String name) {
        byte[] raw = bytes(name + ".s16le");
        int channels = name.contains("stereo") ? 2 : 1;
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
