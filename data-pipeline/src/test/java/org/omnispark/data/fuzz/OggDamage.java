package org.omnispark.data.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile fields for {@link AudioFuzzer}'s Ogg Opus seeds, each followed by a recomputed page CRC so that the damage
 * gets past the CRC check and reaches the page walk, the OpusHead parser or Concentus: the OpusHead's version,
 * channels, pre-skip, output gain and mapping family; a page's granule position, flags, serial number, sequence
 * number, segment count or one lacing value; random bytes inside an audio packet (Concentus decodes them).
 */
final class OggDamage {
    private static final long[] GRANULES = {0, 1, 311, -1, -2, Long.MAX_VALUE, 0xFFFFFFFFL, 48000L * 3600 * 24};

    private OggDamage() {
    }

    /** Whether {@code b} starts with an Ogg page. */
    static boolean isOgg(byte[] b) {
        return b.length >= 4 && b[0] == 'O' && b[1] == 'g' && b[2] == 'g' && b[3] == 'S';
    }

    /** Damages one field of {@code b} in place (an intact Ogg file) and fixes that page's CRC; says what was done. */
    static String hostileField(byte[] b, Random rnd) {
        List<Integer> pages = pages(b);
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int kind = rnd.nextInt(11);
        int page = pages.get(kind < 5 ? 0 : rnd.nextBoolean() ? pages.size() - 1 : rnd.nextInt(pages.size()));
        int body = page + 27 + (b[page + 26] & 0xFF);
        String what;
        switch (kind) {
            case 0 -> {
                b[body + 8] = (byte) new int[] {1, 15, 16, 255}[rnd.nextInt(4)];
                what = "OpusHead version " + (b[body + 8] & 0xFF);
            }
            case 1 -> {
                b[body + 9] = (byte) new int[] {0, 2, 3, 8, 255}[rnd.nextInt(5)];
                what = "OpusHead channels " + (b[body + 9] & 0xFF);
            }
            case 2 -> {
                int v = new int[] {0, 1, 3840, 28800, 65535}[rnd.nextInt(5)];
                le.putShort(body + 10, (short) v);
                what = "OpusHead pre-skip " + v;
            }
            case 3 -> {
                int v = new int[] {-32768, -1, 1, 32767}[rnd.nextInt(4)];
                le.putShort(body + 16, (short) v);
                what = "OpusHead output gain " + v;
            }
            case 4 -> {
                b[body + 18] = (byte) new int[] {1, 2, 255}[rnd.nextInt(3)];
                what = "OpusHead mapping family " + (b[body + 18] & 0xFF);
            }
            case 5 -> {
                long v = GRANULES[rnd.nextInt(GRANULES.length)];
                le.putLong(page + 6, v);
                what = "granule position " + v + " on the page at " + page;
            }
            case 6 -> {
                b[page + 5] = (byte) rnd.nextInt(8);
                what = "header type " + b[page + 5] + " on the page at " + page;
            }
            case 7 -> {
                le.putInt(page + 14 + 4 * rnd.nextInt(2), rnd.nextInt());
                what = "serial or sequence number on the page at " + page;
            }
            case 8 -> {
                int segments = b[page + 26] & 0xFF;
                if (segments == 0) {
                    return "nothing (a page without segments)";
                }
                int i = rnd.nextInt(segments);
                b[page + 27 + i] = (byte) new int[] {0, 1, 254, 255}[rnd.nextInt(4)];
                what = "lacing value " + i + " set to " + (b[page + 27 + i] & 0xFF) + " on the page at " + page;
            }
            case 9 -> {
                b[page + 26] = (byte) rnd.nextInt(256);
                what = "segment count " + (b[page + 26] & 0xFF) + " on the page at " + page;
            }
            default -> {
                int end = pages.indexOf(page) + 1 < pages.size() ? pages.get(pages.indexOf(page) + 1) : b.length;
                if (end <= body) {
                    return "nothing (an empty page)";
                }
                int n = 1 + rnd.nextInt(Math.min(64, end - body));
                int from = body + rnd.nextInt(end - body - n + 1);
                for (int k = from; k < from + n; k++) {
                    b[k] = (byte) rnd.nextInt(256);
                }
                what = n + " random packet bytes at " + from;
            }
        }
        fixCrc(b, page);
        return what + " (CRC fixed)";
    }

    /** The byte offsets of the pages of an intact Ogg file. */
    private static List<Integer> pages(byte[] b) {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p + 27 <= b.length;) {
            out.add(p);
            int segments = b[p + 26] & 0xFF;
            int body = 0;
            for (int i = 0; i < segments && p + 27 + i < b.length; i++) {
                body += b[p + 27 + i] & 0xFF;
            }
            p += 27 + segments + body;
        }
        return out;
    }

    /** Recomputes the CRC-32 (0x04C11DB7, not reflected) of the page at {@code p}, as long as its header says. */
    private static void fixCrc(byte[] b, int p) {
        int segments = b[p + 26] & 0xFF;
        long length = 27 + segments;
        for (int i = 0; i < segments && p + 27 + i < b.length; i++) {
            length += b[p + 27 + i] & 0xFF;
        }
        int end = (int) Math.min(b.length, p + length);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(p + 22, 0);
        int c = 0;
        for (int i = p; i < end; i++) {
            c ^= (b[i] & 0xFF) << 24;
            for (int k = 0; k < 8; k++) {
                c = c < 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
            }
        }
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(p + 22, c);
    }
}
