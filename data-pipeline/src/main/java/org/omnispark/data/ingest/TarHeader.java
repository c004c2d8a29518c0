package org.omnispark.data.ingest;

import java.nio.charset.StandardCharsets;

/**
 * The fields {@link TarIndex} reads from a 512-byte tar header (POSIX ustar, GNU and pax archives, as Python's tarfile,
 * GNU tar and WebDataset's writers produce them): the checksum, the name (with the ustar prefix), the size (octal, or
 * GNU base-256 for huge members) and pax records.
 */
final class TarHeader {
    private TarHeader() {
    }

    /** Null when the header's checksum and magic hold, else what is wrong. */
    static String check(byte[] h) {
        long stored = octal(h, 148, 8);
        if (stored < 0) {
            return "a header's checksum field is not octal (not a tar, or damaged)";
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < TarIndex.BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += (byte) b;
        }
        if (stored != unsigned && stored != signed) {
            return "a header's checksum is " + stored + " but its bytes sum to " + unsigned + " (damaged header)";
        }
        return null;
    }

    /** The member's name: the ustar prefix (POSIX magic only) joined to the name field. */
    static String name(byte[] h) {
        String name = cString(h, 0, 100);
        boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r'
                && h[262] == 0;
        String prefix = posix ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The size field, or -1 when it is neither octal nor base-256. */
    static long size(byte[] h) {
        if ((h[124] & 0x80) != 0) { // GNU base-256: big-endian, top bit set
            long v = 0;
            for (int i = 125; i < 136; i++) {
                if ((v >>> 55) != 0) {
                    return -1;
                }
                v = (v << 8) | (h[i] & 0xff);
            }
            return (h[124] & 0x7f) != 0 ? -1 : v;
        }
        return octal(h, 124, 12);
    }

    /** An octal field (leading spaces, NUL or space terminated), or -1. */
    static long octal(byte[] h, int from, int len) {
        int i = from;
        int end = from + len;
        while (i < end && h[i] == ' ') {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7' || digits >= 21) {
                return -1;
            }
            v = v * 8 + (h[i] - '0');
            digits++;
        }
        return digits == 0 ? -1 : v;
    }

    /** A NUL-terminated UTF-8 string in {@code h[from, from + len)}. */
    static String cString(byte[] h, int from, int len) {
        int end = from;
        while (end < from + len && h[end] != 0) {
            end++;
        }
        return new String(h, from, end - from, StandardCharsets.UTF_8);
    }

    /** The value of {@code key} among pax records ({@code "<len> key=value\n"}), or null (also for bad records). */
    static String paxValue(byte[] records, String key) {
        int pos = 0;
        while (pos < records.length) {
            int space = pos;
            while (space < records.length && records[space] != ' ') {
                space++;
            }
            long len = parseLong(new String(records, pos, space - pos, StandardCharsets.US_ASCII));
            if (len <= 0 || pos + len > records.length || space >= pos + len
                    || records[(int) (pos + len - 1)] != '\n') {
                return null;
            }
            String record = new String(records, space + 1, (int) (pos + len - space - 1), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0 && record.substring(0, eq).equals(key)) {
                return record.substring(eq + 1, record.length() - 1);
            }
            pos += (int) len;
        }
        return null;
    }

    /** A decimal number, or -1. */
    static long parseLong(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(s);
    }
}
