package org.omnispark.data.ingest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes small tars in memory, header by header, as POSIX ustar lays them out (name at 0, size in octal at 124,
 * checksum at 148, type at 156, magic "ustar\0" at 257), so that tests build exactly the archives they describe.
 */
final class TarBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A regular file member. */
    TarBytes file(String name, byte[] data) {
        return entry(name, '0', data);
    }

    TarBytes file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A member of any type (e.g. 'L' for a GNU long name, 'x' for pax records, '5' for a folder). */
    TarBytes entry(String name, char type, byte[] data) {
        out.writeBytes(header(name, type, data.length));
        out.writeBytes(data);
        int pad = (512 - data.length % 512) % 512;
        out.writeBytes(new byte[pad]);
        return this;
    }

    /** The archive with its two end-of-archive blocks. */
    byte[] bytes() {
        byte[] b = out.toByteArray();
        return Arrays.copyOf(b, b.length + 1024);
    }

    /** The archive without end-of-archive blocks. */
    byte[] bytesWithoutEnd() {
        return out.toByteArray();
    }

    static byte[] header(String name, char type, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
