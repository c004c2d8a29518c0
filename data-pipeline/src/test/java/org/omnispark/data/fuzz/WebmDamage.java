package org.omnispark.data.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Hostile fields for {@link AudioFuzzer}'s Matroska/WebM seeds, aimed at what MatroskaDemuxer trusts least: an
 * element's size field (unknown, huge, zero, one off), the OpusHead in CodecPrivate (channels, pre-skip, mapping
 * family), the CodecID, a DiscardPadding value, a block's track number and lacing flags (so that a frame is read as a
 * lace count and lace sizes), and random bytes inside a frame (Concentus decodes them).
 */
final class WebmDamage {
    /** Master elements whose children are walked: Segment, Tracks, TrackEntry, Audio, Cluster, BlockGroup. */
    private static final Set<Integer> MASTERS = Set.of(0x18538067, 0x1654AE6B, 0xAE, 0xE1, 0x1F43B675, 0xA0);
    private static final long[] PADDINGS = {-1, 0x7FFFFFFFL, 0xFFFFFFFFL, 20_000_000, 1_000_000_000L};

    private WebmDamage() {
    }

    /** Whether {@code b} starts with an EBML header. */
    static boolean isEbml(byte[] b) {
        return b.length >= 4 && (b[0] & 0xFF) == 0x1A && (b[1] & 0xFF) == 0x45 && (b[2] & 0xFF) == 0xDF
                && (b[3] & 0xFF) == 0xA3;
    }

    /** An element of an intact file: where it starts, its ID, where its size field is and how wide, its body. */
    private record Element(int start, int id, int sizeAt, int width, int body, int size) {
    }

    /** Damages one field of {@code b} in place (an intact Matroska/WebM file); says what was done. */
    static String hostileField(byte[] b, Random rnd) {
        List<Element> all = new ArrayList<>();
        walk(b, 0, b.length, all);
        List<Element> blocks = all.stream().filter(e -> e.id() == 0xA3 || e.id() == 0xA1).toList();
        int kind = rnd.nextInt(7);
        switch (kind) {
            case 0 -> {
                Element e = all.get(rnd.nextInt(all.size()));
                long max = (1L << (7 * e.width())) - 1;
                long v = new long[] {max, max - 1, 0, e.size() + 1L, Math.max(0, e.size() - 1L)}[rnd.nextInt(5)];
                for (int i = e.width() - 1; i >= 0; i--) {
                    b[e.sizeAt() + i] = (byte) (v >> (8 * (e.width() - 1 - i)));
                }
                b[e.sizeAt()] |= (byte) (0x80 >> (e.width() - 1));
                return "size of element 0x" + Integer.toHexString(e.id()) + " at " + e.start() + " set to " + v;
            }
            case 1 -> {
                int p = indexOf(b, "OpusHead");
                if (p < 0) {
                    return hostileField(b, rnd);
                }
                int field = new int[] {8, 9, 10, 11, 18}[rnd.nextInt(5)];
                b[p + field] = (byte) new int[] {0, 2, 3, 255}[rnd.nextInt(4)];
                return "OpusHead byte " + field + " set to " + (b[p + field] & 0xFF);
            }
            case 2 -> {
                Element e = first(all, 0x86);
                b[e.body() + e.size() - 1] ^= 0x11;
                return "CodecID changed";
            }
            case 3 -> {
                Element e = first(all, 0x75A2);
                if (e == null) {
                    return hostileField(b, rnd);
                }
                long v = PADDINGS[rnd.nextInt(PADDINGS.length)];
                for (int i = 0; i < e.size(); i++) {
                    b[e.body() + i] = (byte) (v >> (8 * (e.size() - 1 - i)));
                }
                return "DiscardPadding " + v;
            }
            case 4, 5 -> {
                Element e = blocks.get(rnd.nextInt(blocks.size()));
                if (kind == 4) {
                    b[e.body()] = (byte) new int[] {0x80, 0x82, 0xFF, 0x40}[rnd.nextInt(4)];
                    return "track number byte of the block at " + e.start() + " set to " + (b[e.body()] & 0xFF);
                }
                b[e.body() + 3] = (byte) (b[e.body() + 3] & ~6 | (1 + rnd.nextInt(3)) << 1);
                return "lacing flags of the block at " + e.start() + " set to " + ((b[e.body() + 3] >> 1) & 3);
            }
            default -> {
                Element e = blocks.get(rnd.nextInt(blocks.size()));
                int n = Math.min(e.size() - 4, 1 + rnd.nextInt(8));
                for (int i = 0; i < n; i++) {
                    b[e.body() + 4 + rnd.nextInt(e.size() - 4)] = (byte) rnd.nextInt(256);
                }
                return n + " random bytes in the frame of the block at " + e.start();
            }
        }
    }

    private static Element first(List<Element> all, int id) {
        return all.stream().filter(e -> e.id() == id).findFirst().orElse(null);
    }

    private static void walk(byte[] b, int from, int to, List<Element> out) {
        for (int p = from; p < to;) {
            int idWidth = Integer.numberOfLeadingZeros(b[p] & 0xFF) - 23;
            int id = 0;
            for (int i = 0; i < idWidth; i++) {
                id = id << 8 | (b[p + i] & 0xFF);
            }
            int sizeAt = p + idWidth;
            int width = Integer.numberOfLeadingZeros(b[sizeAt] & 0xFF) - 23;
            long size = b[sizeAt] & (0xFF >> width);
            for (int i = 1; i < width; i++) {
                size = size << 8 | (b[sizeAt + i] & 0xFF);
            }
            int body = sizeAt + width;
            int end = size == (1L << (7 * width)) - 1 ? to : (int) Math.min(to, body + size);
            out.add(new Element(p, id, sizeAt, width, body, end - body));
            if (MASTERS.contains(id)) {
                walk(b, body, end, out);
            }
            p = end;
        }
    }

    private static int indexOf(byte[] b, String s) {
        outer:
        for (int i = 0; i + s.length() <= b.length; i++) {
            for (int j = 0; j < s.length(); j++) {
                if (b[i + j] != (byte) s.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
