package org.omnispark.data.audio;

import java.util.List;

/**
 * The checked-in MP3 parity fixtures (src/test/resources/golden/mp3, made by src/test/scripts/make_mp3_golden.sh):
 * MP3s encoded by ffmpeg's libmp3lame from two espeak-ng utterances, each with ffmpeg's own decoding as s16le, and
 * the source WAVs they were encoded from.
 */
public final class Mp3Fixtures {
    /** Every MP3 fixture, by base name. */
    public static final List<String> NAMES = List.of("a_16k_mono_cbr32_id3", "a_16k_mono_vbr", "a_8k_mono_cbr16",
            "b_22k_stereo_cbr64", "b_44k_stereo_vbr_id3", "b_44k_stereo_cbr128_noxing");
    /** The transcript of the "a_" files. */
    public static final String TEXT_A = "seven tigers bring the box";
    /** The transcript of the "b_" files. */
    public static final String TEXT_B = "a brother reads the map";

    private Mp3Fixtures() {
    }

    /** The bytes of {@code file} in the fixture folder (e.g. "a_16k_mono_vbr.mp3", "src_a_16k.wav"). */
    public static byte[] bytes(String file) {
        return GoldenAudio.bytes("mp3", file);
    }

    /** The MP3 file of a fixture. */
    public static byte[] mp3(String name) {
        return bytes(name + ".mp3");
    }

    /**
     * What is said in a fixture: the "a_" files hold all of {@link #TEXT_A}, the 1 s "b_" file all of {@link #TEXT_B},
     * the 0.5 s 44.1 kHz ones only its first words.
     */
    public static String text(String name) {
        return name.startsWith("a_") ? TEXT_A : name.startsWith("b_44k") ? "a brother" : TEXT_B;
    }

    /** Channels of a fixture (its name says "stereo" or "mono"). */
    public static int channels(String name) {
        return name.contains("stereo") ? 2 : 1;
    }

    /** ffmpeg's decoding of a fixture, downmixed here to the mean of its channels, full scale 32768 = 1.0. */
    public static double[] ffmpegMono(String name) {
        return GoldenAudio.s16leMono(bytes(name + ".s16le"), channels(name));
    }
}
