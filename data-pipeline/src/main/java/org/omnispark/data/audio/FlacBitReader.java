package org.omnispark.data.audio;

/**
 * A big-endian bit reader over a byte array, for {@link FlacDecoder}. Every read is bounded by the array: reading
 * past its end throws {@link EndOfData}, so no field of a damaged file can make a loop run longer than the file has
 * bits. Not thread-safe.
 */
final class FlacBitReader {
    /** Thrown when a read needs more bits than the data holds. */
    static final class EndOfData extends Exception {
        private static final long serialVersionUID = 1L;

        EndOfData() {
            super("end of data", null, false, false);
        }
    }

    private final byte[] data;
    private final int end;
    private long bitPos; // absolute bit position in data

    FlacBitReader(byte[] data, int start, int end) {
        this.data = data;
        this.end = end;
        this.bitPos = (long) start * 8;
    }

    /** The byte position (only meaningful when byte-aligned). */
    int bytePos() {
        return (int) (bitPos >>> 3);
    }

    boolean byteAligned() {
        return (bitPos & 7) == 0;
    }

    int bytesLeft() {
        return end - (int) ((bitPos + 7) >>> 3);
    }

    void alignToByte() {
        bitPos = (bitPos + 7) & ~7L;
    }

    /** Reads n (0..56) bits as an unsigned value. */
    long bits(int n) throws EndOfData {
        if (n == 0) {
            return 0;
        }
        if (bitPos + n > (long) end * 8) {
            throw new EndOfData();
        }
        long v = 0;
        int remaining = n;
        while (remaining > 0) {
            int byteIndex = (int) (bitPos >>> 3);
            int bitInByte = (int) (bitPos & 7);
            int avail = 8 - bitInByte;
            int take = Math.min(avail, remaining);
            int b = data[byteIndex] & 0xFF;
            int chunk = (b >>> (avail - take)) & ((1 << take) - 1);
            v = (v << take) | chunk;
            remaining -= take;
            bitPos += take;
        }
        return v;
    }

    int uint(int n) throws EndOfData {
        return (int) bits(n);
    }

    /** Reads n (1..56) bits as a two's-complement signed value. */
    long sint(int n) throws EndOfData {
        long v = bits(n);
        return (v << (64 - n)) >> (64 - n);
    }

    /** Counts 0 bits up to and including the next 1 bit; returns the count of 0s. Bounded by the data. */
    int unary() throws EndOfData {
        int zeros = 0;
        while (true) {
            if (bitPos >= (long) end * 8) {
                throw new EndOfData();
            }
            int byteIndex = (int) (bitPos >>> 3);
            int bitInByte = (int) (bitPos & 7);
            int rest = (data[byteIndex] << bitInByte) & 0xFF; // the unread bits of this byte, left-aligned
            if (rest == 0) {
                zeros += 8 - bitInByte;
                bitPos += 8 - bitInByte;
            } else {
                int lead = Integer.numberOfLeadingZeros(rest) - 24;
                zeros += lead;
                bitPos += lead + 1;
                return zeros;
            }
        }
    }
}
