package org.omnispark.data.synth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.omnispark.data.RejectReason;

/**
 * Ways the audio of a row is damaged on purpose, each with the {@link RejectReason} the data pipeline is expected
 * to report for it. Damage is applied to a canonical 16-bit mono WAV file after synthesis.
 */
public enum AudioDamage {
    /** Intact audio. */
    NONE(null),
    /** The file ends early: the header's data size promises more bytes than the file holds (20..70% kept). */
    TRUNCATED(RejectReason.TRUNCATED_AUDIO),
    /** The whole file is random bytes (no known magic number). */
    GARBAGE_BYTES(RejectReason.CORRUPT_AUDIO),
    /** The file exists but has zero bytes. */
    EMPTY_FILE(RejectReason.CORRUPT_AUDIO),
    /** The manifest points to a file that does not exist. */
    MISSING_FILE(RejectReason.MISSING_AUDIO),
    /** An MPEG-1 Layer III (MP3) stream in a {@code .mp3} file: a real format OmniSpark does not decode. */
    UNSUPPORTED_FORMAT(RejectReason.UNSUPPORTED_AUDIO),
    /** A RIFF/WAVE file whose fmt chunk is impossible (0 channels, 0 Hz, or a block align of 0). */
    IMPOSSIBLE_HEADER(RejectReason.CORRUPT_AUDIO);

    /** The damage kinds other than {@link #NONE}, in the order damaged rows cycle through them. */
    public static final List<AudioDamage> KINDS = List.of(TRUNCATED, GARBAGE_BYTES, EMPTY_FILE, MISSING_FILE,
        UNSUPPORTED_FORMAT, IMPOSSIBLE_HEADER);

    private static final int MP3_FRAME_BYTES = 417; // 144 * 128 kbit/s / 44100 Hz, no padding

    private final RejectReason expectedReject;

    AudioDamage(RejectReason expectedReject) {
        this.expectedReject = expectedReject;
    }

    /** The reject reason the pipeline should give this row; null for {@link #NONE}. */
    public RejectReason expectedReject() {
        return expectedReject;
    }

    /** Lower-case id used in truth.jsonl, e.g. {@code garbage_bytes}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The file name extension a damaged row's file gets ({@code mp3} for UNSUPPORTED_FORMAT). */
    public String extension(String intactExtension) {
        return this == UNSUPPORTED_FORMAT ? "mp3" : intactExtension;
    }

    /**
     * Damages the WAV file {@code wav} and writes the result to {@code target} (which may equal {@code wav});
     * {@code wav} is deleted when it differs from {@code target}. For {@link #MISSING_FILE} nothing is left at
     * {@code target}.
     */
    public void apply(Path wav, Path target, RandomGenerator rng) throws IOException {
        byte[] intact = Files.readAllBytes(wav);
        if (!wav.equals(target)) {
            Files.delete(wav);
        }
        byte[] out = switch (this) {
            case NONE -> intact;
            case TRUNCATED -> truncated(intact, rng);
            case GARBAGE_BYTES -> garbage(Math.max(1024, intact.length), rng);
            case EMPTY_FILE -> new byte[0];
            case MISSING_FILE -> null;
            case UNSUPPORTED_FORMAT -> mp3Frames(Math.max(4, intact.length / MP3_FRAME_BYTES / 4), rng);
            case IMPOSSIBLE_HEADER -> impossibleHeader(intact, rng);
        };
        if (out == null) {
            Files.deleteIfExists(target);
        } else {
            Files.write(target, out);
        }
    }

    /** Keeps the 44-byte header (which still announces all data) and 20..70% of the data, sample-aligned. */
    private static byte[] truncated(byte[] wav, RandomGenerator rng) {
        int data = wav.length - 44;
        int keep = (int) (data * (0.2 + 0.5 * rng.nextDouble())) & ~1;
        byte[] out = new byte[44 + keep];
        System.arraycopy(wav, 0, out, 0, out.length);
        return out;
    }

    private static byte[] garbage(int length, RandomGenerator rng) {
        byte[] out = new byte[length];
        rng.nextBytes(out);
        out[0] = (byte) ('G' + (out[0] & 7)); // never 'R' (RIFF), 'f' (fLaC), 'I' (ID3) or 0xFF (MPEG sync)
        return out;
    }

    private static byte[] mp3Frames(int frames, RandomGenerator rng) {
        byte[] out = new byte[frames * MP3_FRAME_BYTES];
        rng.nextBytes(out);
        for (int f = 0; f < frames; f++) {
            int p = f * MP3_FRAME_BYTES;
            // sync 0xFFF, MPEG-1, Layer III, no CRC | 128 kbit/s, 44.1 kHz, no padding | joint stereo
            out[p] = (byte) 0xFF;
            out[p + 1] = (byte) 0xFB;
            out[p + 2] = (byte) 0x90;
            out[p + 3] = (byte) 0x64;
        }
        return out;
    }

    /** Canonical 44-byte-header WAV with one fmt field made impossible. */
    private static byte[] impossibleHeader(byte[] wav, RandomGenerator rng) {
        byte[] out = wav.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        switch (rng.nextInt(3)) {
            case 0 -> b.putShort(22, (short) 0); // channels = 0
            case 1 -> b.putInt(24, 0).putInt(28, 0); // sample rate = 0, byte rate = 0
            default -> b.putShort(32, (short) 0); // block align = 0
        }
        return out;
    }
}
