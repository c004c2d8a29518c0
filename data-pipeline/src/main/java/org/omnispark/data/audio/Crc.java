package org.omnispark.data.audio;

/** The two CRCs of a FLAC frame: CRC-8 (polynomial 0x07) of the header, CRC-16 (0x8005) of the whole frame. */
final class Crc {
    private static final int[] CRC8 = new int[256];
    private static final int[] CRC16 = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c8 = i;
            int c16 = i << 8;
            for (int k = 0; k < 8; k++) {
                c8 = (c8 & 0x80) != 0 ? (c8 << 1) ^ 0x07 : c8 << 1;
                c16 = (c16 & 0x8000) != 0 ? (c16 << 1) ^ 0x8005 : c16 << 1;
            }
            CRC8[i] = c8 & 0xFF;
            CRC16[i] = c16 & 0xFFFF;
        }
    }

    private Crc() {
    }

    /** CRC-8 of data[from, to). */
    static int crc8(byte[] data, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            c = CRC8[(c ^ data[i]) & 0xFF];
        }
        return c;
    }

    /** CRC-16 of data[from, to). */
    static int crc16(byte[] data, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            c = ((c << 8) ^ CRC16[((c >>> 8) ^ data[i]) & 0xFF]) & 0xFFFF;
        }
        return c;
    }
}
