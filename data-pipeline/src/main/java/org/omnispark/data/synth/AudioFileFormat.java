package org.omnispark.data.synth;

import java.util.List;
import java.util.Locale;

/**
 * The file format of one synthesized row.
 *
 * @param container WAV or FLAC
 * @param sampleRate samples per second
 * @param channels 1 (mono) or 2 (stereo: the same signal on both channels)
 * @param encoding sample encoding; FLAC supports {@link Encoding#PCM_16} and {@link Encoding#PCM_24} only
 */
public record AudioFileFormat(Container container, int sampleRate, int channels, Encoding encoding) {
    /** File container. */
    public enum Container { WAV, FLAC }

    /** Sample encoding. */
    public enum Encoding { PCM_16, PCM_24, FLOAT_32 }

    /** espeak-ng's own output: 22050 Hz 16-bit mono WAV (no sox needed). */
    public static final AudioFileFormat NATIVE =
        new AudioFileFormat(Container.WAV, EspeakNg.NATIVE_SAMPLE_RATE, 1, Encoding.PCM_16);
    /** The usual ASR input: 16 kHz 16-bit mono WAV. */
    public static final AudioFileFormat STANDARD = new AudioFileFormat(Container.WAV, 16000, 1, Encoding.PCM_16);
    /** The formats a format-mixed corpus draws from, uniformly. */
    public static final List<AudioFileFormat> MIX = List.of(
        NATIVE,
        STANDARD,
        new AudioFileFormat(Container.WAV, 8000, 1, Encoding.PCM_16),
        new AudioFileFormat(Container.WAV, 44100, 1, Encoding.PCM_16),
        new AudioFileFormat(Container.WAV, 48000, 1, Encoding.PCM_16),
        new AudioFileFormat(Container.WAV, 16000, 2, Encoding.PCM_16),
        new AudioFileFormat(Container.WAV, 16000, 1, Encoding.PCM_24),
        new AudioFileFormat(Container.WAV, 16000, 1, Encoding.FLOAT_32),
        new AudioFileFormat(Container.FLAC, 16000, 1, Encoding.PCM_16));

    public AudioFileFormat {
        if (container == null || encoding == null) {
            throw new IllegalArgumentException("container and encoding are required");
        }
        if (sampleRate < 1000 || sampleRate > 192_000) {
            throw new IllegalArgumentException("sampleRate must be in 1000..192000, got " + sampleRate);
        }
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels must be 1 or 2, got " + channels);
        }
        if (container == Container.FLAC && encoding == Encoding.FLOAT_32) {
            throw new IllegalArgumentException("FLAC stores integers only: use PCM_16 or PCM_24");
        }
    }

    /** File name extension without the dot: {@code wav} or {@code flac}. */
    public String extension() {
        return container.name().toLowerCase(Locale.ROOT);
    }

    /** Bytes per sample of one channel. */
    public int bytesPerSample() {
        return switch (encoding) {
            case PCM_16 -> 2;
            case PCM_24 -> 3;
            case FLOAT_32 -> 4;
        };
    }

    /** A short id such as {@code wav-16000-1ch-pcm16}, used in truth.jsonl. */
    public String id() {
        return extension() + "-" + sampleRate + "-" + channels + "ch-"
            + encoding.name().toLowerCase(Locale.ROOT).replace("_", "");
    }
}
