package org.omnispark.data.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of damaged audio files, made from valid WAV, FLAC, MP3, Ogg Opus, WebM Opus and Vorbis files of
 * real speech: the kinds of damage a failed copy, a broken writer or a hostile file produces. The same seed and seeds
 * give the same files.
 *
 * <ul>
 *   <li>bit flips anywhere (1-24 bits), truncation anywhere (inside the header too)</li>
 *   <li>hostile header fields: WAV RIFF/fmt/data chunk sizes, format code, channels, sample rate (0, 1, 999, 16035,
 *       16090, 1286200762, 2^32-1), byte rate, block align, bits per sample; FLAC STREAMINFO block sizes, rate,
 *       channels, bit depth, total samples, metadata block lengths; in any MP3 frame header the version, layer,
 *       CRC flag, bitrate index (free format, 15), rate index (3), padding, channel mode, and the ID3v2 tag size,
 *       the Xing/Info frame count and LAME's delay/padding; in Ogg Opus files (CRC recomputed, so the damage
 *       reaches the parser and the decoder) the OpusHead fields, a page's granule, flags, serial, sequence number,
 *       segment count or lacing values, and random bytes inside audio packets ({@link OggDamage}); in
 *       Matroska/WebM files element sizes, the OpusHead, CodecID, DiscardPadding, track numbers, lacing flags and
 *       frame bytes ({@link WebmDamage})</li>
 *   <li>spliced streams (the head of one file, the tail of another), zeroed spans, random spans</li>
 * </ul>
 */
public final class AudioFuzzer {
    /** One generated file: what was done to which seed file. */
    public record Mutant(String name, String damage, byte[] bytes) {
    }

    private static final long[] HOSTILE_RATES = {0, 1, 999, 16035, 16090, 1_286_200_762L, 0xFFFFFFFFL, 384_001,
        8000};
    private static final long[] HOSTILE_SIZES = {0, 1, 3, 0x7FFFFFFFL, 0xFFFFFFFFL, 0x80000000L, 44};
    private static final int[] HOSTILE_SHORTS = {0, 1, 2, 3, 7, 12, 13, 24, 33, 64, 255, 0xFFFF};

    private final Random rnd;

    public AudioFuzzer(long seed) {
        this.rnd = new Random(seed);
    }

    /**
     * {@code count} mutants of the seed files (taken in turn); WAV, FLAC, MP3 and Ogg seeds get their own header
     * damage.
     */
    public List<Mutant> mutate(List<byte[]> seeds, int count) {
        List<Mutant> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            byte[] other = seeds.get(rnd.nextInt(seeds.size()));
            boolean flac = seed[0] == 'f' && seed[1] == 'L';
            boolean mp3 = seed[0] == 'I' && seed[1] == 'D' || (seed[0] & 0xFF) == 0xFF;
            boolean ogg = OggDamage.isOgg(seed);
            boolean webm = WebmDamage.isEbml(seed);
            int kind = rnd.nextInt(7);
            String damage;
            byte[] b;
            switch (kind) {
                case 0 -> {
                    b = seed.clone();
                    int flips = 1 + rnd.nextInt(24);
                    for (int k = 0; k < flips; k++) {
                        int p = rnd.nextInt(b.length);
                        b[p] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    damage = flips + " bit flips";
                }
                case 1 -> {
                    int cut = rnd.nextInt(seed.length);
                    b = Arrays.copyOf(seed, cut);
                    damage = "truncated to " + cut + " of " + seed.length + " bytes";
                }
                case 2, 3 -> {
                    b = seed.clone();
                    damage = flac ? hostileFlacField(b) : mp3 ? Mp3Damage.hostileField(b, rnd)
                            : ogg ? OggDamage.hostileField(b, rnd) : webm ? WebmDamage.hostileField(b, rnd)
                            : hostileWavField(b);
                }
                case 4 -> {
                    int head = rnd.nextInt(seed.length);
                    int tailFrom = rnd.nextInt(other.length);
                    b = new byte[head + other.length - tailFrom];
                    System.arraycopy(seed, 0, b, 0, head);
                    System.arraycopy(other, tailFrom, b, head, other.length - tailFrom);
                    damage = "spliced: " + head + " bytes, then another file from byte " + tailFrom;
                }
                case 5 -> {
                    b = seed.clone();
                    int from = rnd.nextInt(b.length);
                    int len = Math.min(b.length - from, 1 + rnd.nextInt(4096));
                    Arrays.fill(b, from, from + len, (byte) 0);
                    damage = "zeroed " + len + " bytes at " + from;
                }
                default -> {
                    b = seed.clone();
                    int from = rnd.nextInt(b.length);
                    int len = Math.min(b.length - from, 1 + rnd.nextInt(4096));
                    for (int k = from; k < from + len; k++) {
                        b[k] = (byte) rnd.nextInt(256);
                    }
                    damage = "random " + len + " bytes at " + from;
                }
            }
            out.add(new Mutant(String.format("fuzz-%s-%04d",
                    flac ? "flac" : mp3 ? "mp3" : ogg ? "ogg" : webm ? "webm" : "wav", i), damage, b));
        }
        return out;
    }

    /** Overwrites one fmt or data field of a RIFF/WAVE file with a hostile value. */
    private String hostileWavField(byte[] b) {
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int fmt = find(b, "fmt ");
        int data = find(b, "data");
        int field = rnd.nextInt(9);
        if (fmt < 0 || data < 0 || field == 0) {
            long v = HOSTILE_SIZES[rnd.nextInt(HOSTILE_SIZES.length)];
            le.putInt(4, (int) v);
            return "RIFF size " + v;
        }
        switch (field) {
            case 1 -> {
                long v = HOSTILE_SIZES[rnd.nextInt(HOSTILE_SIZES.length)];
                le.putInt(fmt + 4, (int) v);
                return "fmt chunk size " + v;
            }
            case 2 -> {
                int v = new int[] {0, 2, 3, 6, 7, 0x11, 0xFFFE, 0xFFFF}[rnd.nextInt(8)];
                le.putShort(fmt + 8, (short) v);
                return "format code " + v;
            }
            case 3 -> {
                int v = HOSTILE_SHORTS[rnd.nextInt(HOSTILE_SHORTS.length)];
                le.putShort(fmt + 10, (short) v);
                return "channels " + v;
            }
            case 4 -> {
                long v = HOSTILE_RATES[rnd.nextInt(HOSTILE_RATES.length)];
                le.putInt(fmt + 12, (int) v);
                return "sample rate " + v;
            }
            case 5 -> {
                long v = HOSTILE_SIZES[rnd.nextInt(HOSTILE_SIZES.length)];
                le.putInt(fmt + 16, (int) v);
                return "byte rate " + v;
            }
            case 6 -> {
                int v = HOSTILE_SHORTS[rnd.nextInt(HOSTILE_SHORTS.length)];
                le.putShort(fmt + 20, (short) v);
                return "block align " + v;
            }
            case 7 -> {
                int v = HOSTILE_SHORTS[rnd.nextInt(HOSTILE_SHORTS.length)];
                le.putShort(fmt + 22, (short) v);
                return "bits per sample " + v;
            }
            default -> {
                long v = HOSTILE_SIZES[rnd.nextInt(HOSTILE_SIZES.length)];
                le.putInt(data + 4, (int) v);
                return "data chunk size " + v;
            }
        }
    }

    /** Overwrites one STREAMINFO field (or the first metadata block's header) of a FLAC file. */
    private String hostileFlacField(byte[] b) {
        int si = 8; // "fLaC" + 4-byte block header
        switch (rnd.nextInt(7)) {
            case 0 -> {
                int v = HOSTILE_SHORTS[rnd.nextInt(HOSTILE_SHORTS.length)];
                b[si] = (byte) (v >> 8);
                b[si + 1] = (byte) v;
                return "min block size " + v;
            }
            case 1 -> {
                int v = HOSTILE_SHORTS[rnd.nextInt(HOSTILE_SHORTS.length)];
                b[si + 2] = (byte) (v >> 8);
                b[si + 3] = (byte) v;
                return "max block size " + v;
            }
            case 2 -> {
                long rate = new long[] {0, 1, 999, 16035, 0xFFFFF, 655350}[rnd.nextInt(6)];
                b[si + 10] = (byte) (rate >> 12);
                b[si + 11] = (byte) (rate >> 4);
                b[si + 12] = (byte) ((b[si + 12] & 0x0F) | (rate & 0x0F) << 4);
                return "STREAMINFO rate " + rate;
            }
            case 3 -> {
                int ch = rnd.nextInt(8);
                b[si + 12] = (byte) ((b[si + 12] & 0xF1) | ch << 1);
                return "STREAMINFO channels " + (ch + 1);
            }
            case 4 -> {
                int bps = rnd.nextInt(32);
                b[si + 12] = (byte) ((b[si + 12] & 0xFE) | bps >> 4);
                b[si + 13] = (byte) ((b[si + 13] & 0x0F) | (bps & 0x0F) << 4);
                return "STREAMINFO bits " + (bps + 1);
            }
            case 5 -> {
                long total = new long[] {0, 1, (1L << 36) - 1, 1L << 31}[rnd.nextInt(4)];
                b[si + 13] = (byte) ((b[si + 13] & 0xF0) | (total >> 32) & 0x0F);
                b[si + 14] = (byte) (total >> 24);
                b[si + 15] = (byte) (total >> 16);
                b[si + 16] = (byte) (total >> 8);
                b[si + 17] = (byte) total;
                return "STREAMINFO total samples " + total;
            }
            default -> {
                int len = new int[] {0, 33, 35, 0xFFFFFF}[rnd.nextInt(4)];
                b[5] = (byte) (len >> 16);
                b[6] = (byte) (len >> 8);
                b[7] = (byte) len;
                b[4] = (byte) (rnd.nextBoolean() ? b[4] ^ 0x80 : 4); // last-block flag, or a VORBIS_COMMENT type
                return "first metadata block header: type/last " + (b[4] & 0xFF) + ", length " + len;
            }
        }
    }

    private static int find(byte[] b, String id) {
        byte[] want = id.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (int i = 12; i + 8 <= Math.min(b.length, 4096); i++) {
            if (b[i] == want[0] && b[i + 1] == want[1] && b[i + 2] == want[2] && b[i + 3] == want[3]) {
                return i;
            }
        }
        return -1;
    }
}
