package org.omnispark.data.audio;

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
        return GoldenAudio.bytes("ogg", file);
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
        return GoldenAudio.s16leMono(bytes(name + ".s16le"), name.contains("stereo") ? 2 : 1);
    }
}
