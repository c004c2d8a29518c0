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
    /**
     * Ogg pages in a {@code .ogg} file: a codec OmniSpark does not decode (Speex: valid pages, CRCs and all, whose
     * first packet starts with Speex's signature; random bytes after it). It was an MP3 stream until OmniSpark learnt
     * MP3, pages of random bytes until it learnt Ogg Opus (their CRCs fail: a corrupt file, not an unsupported one),
     * and Vorbis until it learnt Vorbis (through ffmpeg).
     */
    UNSUPPORTED_FORMAT(RejectReason.UNSUPPORTED_AUDIO),
    /** A RIFF/WAVE file whose fmt chunk is impossible (0 channels, 0 Hz, or a block align of 0). */
    IMPOSSIBLE_HEADER(RejectReason.CORRUPT_AUDIO);

    /** The damage kinds other than {@link #NONE}, in the order damaged rows cycle through them. */
    public static final List<AudioDamage> KINDS = List.of(TRUNCATED, GARBAGE_BYTES, EMPTY_FILE, MISSING_FILE,
        UNSUPPORTED_FORMAT, IMPOSSIBLE_HEADER);

    /** One Ogg page: 27-byte header, a 16-entry segment table, 16 full segments of 255 bytes. */
    private static final int OGG_PAGE_BYTES = 27 + 16 + 16 * 255;

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

    /** The file name extension a damaged row's file gets ({@code ogg} for UNSUPPORTED_FORMAT). */
    public String extension(String intactExtension) {
        return this == UNSUPPORTED_FORMAT ? "ogg" : intactExtension;
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
            case UNSUPPORTED_FORMAT -> oggPages(Math.max(2, intact.length / OGG_PAGE_BYTES / 4), rng);
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

    /**
     * Ogg pages (RFC 3533: capture pattern, version 0, flags, granule, serial, sequence, CRC) of one Speex
     * header packet of random bytes that spans them all (every lacing value 255, so each page after the first
     * continues it).
     */
    private static byte[] oggPages(int pages, RandomGenerator rng) {
        byte[] out = new byte[pages * OGG_PAGE_BYTES];
        rng.nextBytes(out);
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int page = 0; page < pages; page++) {
            int p = page * OGG_PAGE_BYTES;
            b.put(p, (byte) 'O').put(p + 1, (byte) 'g').put(p + 2, (byte) 'g').put(p + 3, (byte) 'S');
            b.put(p + 4, (byte) 0).put(p + 5, (byte) (page == 0 ? 2 : page == pages - 1 ? 5 : 1));
            b.putLong(p + 6, -1L).putInt(p + 14, 0x4F4D4E49).putInt(p + 18, page).putInt(p + 22, 0);
            b.put(p + 26, (byte) 16);
            for (int s = 0; s < 16; s++) {
                b.put(p + 27 + s, (byte) 255);
            }
            if (page == 0) {
                byte[] speex = "Speex   ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                System.arraycopy(speex, 0, out, p + 43, speex.length);
            }
            b.putInt(p + 22, oggCrc(out, p, OGG_PAGE_BYTES));
        }
        return out;
    }

    /** Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, initial 0) of a page whose CRC field is zero. */
    private static int oggCrc(byte[] d, int from, int length) {
        int c = 0;
        for (int i = from; i < from + length; i++) {
            c ^= (d[i] & 0xFF) << 24;
            for (int k = 0; k < 8; k++) {
                c = c < 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            }
        }
        return c;
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
