package org.omnispark.data.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile header fields for {@link AudioFuzzer}'s MP3 seeds: one field of one frame header (the first, the tag frame
 * or any later one), or of the ID3v2 tag, the Xing/Info tag or LAME's extension, set to a reserved, extreme or
 * inconsistent value.
 */
final class Mp3Damage {
    private Mp3Damage() {
    }

    /** Damages one field of {@code b} in place; returns what was done. */
    static String hostileField(byte[] b, Random rnd) {
        List<Integer> headers = frameHeaders(b);
        int kind = rnd.nextInt(10);
        if (headers.isEmpty() || kind == 0) {
            if (b[0] == 'I' && b.length >= 10) {
                int[] sizes = {0, 1, 0x7F7F7F7F, 0x00000100, 0x7F};
                int v = sizes[rnd.nextInt(sizes.length)];
                for (int k = 0; k < 4; k++) {
                    b[6 + k] = (byte) (v >> (24 - 8 * k));
                }
                return "ID3v2 size bytes " + Integer.toHexString(v);
            }
            b[0] = (byte) 0xFF;
            return "first byte set to 0xFF";
        }
        int h = headers.get(rnd.nextBoolean() ? 0 : rnd.nextInt(headers.size()));
        switch (kind) {
            case 1 -> {
                int v = new int[] {0, 15, 1, 14}[rnd.nextInt(4)];
                b[h + 2] = (byte) ((b[h + 2] & 0x0F) | v << 4);
                return "bitrate index " + v + " in the header at " + h;
            }
            case 2 -> {
                int v = rnd.nextInt(4);
                b[h + 2] = (byte) ((b[h + 2] & 0xF3) | v << 2);
                return "rate index " + v + " in the header at " + h;
            }
            case 3 -> {
                int v = rnd.nextInt(4);
                b[h + 1] = (byte) ((b[h + 1] & 0xE7) | v << 3);
                return "version bits " + v + " in the header at " + h;
            }
            case 4 -> {
                int v = rnd.nextInt(4);
                b[h + 1] = (byte) ((b[h + 1] & 0xF9) | v << 1);
                return "layer bits " + v + " in the header at " + h;
            }
            case 5 -> {
                b[h + 3] ^= (byte) 0xC0;
                return "channel mode flipped in the header at " + h;
            }
            case 6 -> {
                b[h + 2] ^= 0x02;
                return "padding bit flipped in the header at " + h;
            }
            case 7 -> {
                b[h + 1] ^= 0x01;
                return "CRC flag flipped in the header at " + h;
            }
            default -> {
                int tag = find(b, headers.get(0), "Xing", "Info");
                if (tag < 0) {
                    b[h + 3] = (byte) rnd.nextInt(256);
                    return "mode/emphasis byte random in the header at " + h;
                }
                long[] values = {0, 1, 0xFFFFFFFFL, 0x7FFFFFFFL, 1_000_000};
                long v = values[rnd.nextInt(values.length)];
                int at = kind == 8 ? tag + 8 : Math.min(b.length - 3, tag + 8 + 4 + 4 + 100 + 4 + 21);
                for (int k = 0; k < (kind == 8 ? 4 : 3); k++) {
                    b[at + k] = (byte) (v >> (8 * ((kind == 8 ? 3 : 2) - k)));
                }
                return (kind == 8 ? "Xing frame count " : "LAME delay/padding bytes ") + Long.toHexString(v);
            }
        }
    }

    /** Offsets of the frame sync patterns in the first 64 KiB (real headers and a few false ones). */
    private static List<Integer> frameHeaders(byte[] b) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i + 4 <= Math.min(b.length, 1 << 16); i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xE0) == 0xE0 && (b[i + 2] & 0xF0) != 0xF0) {
                out.add(i);
            }
        }
        return out;
    }

    private static int find(byte[] b, int from, String... ids) {
        for (int i = from; i + 4 <= Math.min(b.length, from + 64); i++) {
            for (String id : ids) {
                if (b[i] == id.charAt(0) && b[i + 1] == id.charAt(1) && b[i + 2] == id.charAt(2)
                        && b[i + 3] == id.charAt(3)) {
                    return i;
                }
            }
        }
        return -1;
    }
}
