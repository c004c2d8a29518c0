package org.omnispark.trainer.infra;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorBoard event files use it. Each record is
 *
 * <pre>
 *   uint64 length            little-endian
 *   uint32 masked_crc(length bytes)
 *   byte   data[length]
 *   uint32 masked_crc(data)
 * </pre>
 *
 * with {@code masked_crc(x) = ((c >>> 15) | (c << 17)) + 0xa282ead8} (32-bit) of {@code c = crc32c(x)}.
 */
public final class TfRecords {

    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecords() {}

    /**
     * Returns the masked CRC32C of a byte range.
     *
     * @param data bytes
     * @param offset start
     * @param length count
     * @return the masked checksum as an unsigned 32-bit value in an int
     */
    public static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /**
     * Writes one record.
     *
     * @param out the stream
     * @param data the payload (a serialized Event)
     * @throws IOException on write failure
     */
    public static void write(OutputStream out, byte[] data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(data.length);
        header.putInt(maskedCrc32c(header.array(), 0, 8));
        out.write(header.array());
        out.write(data);
        ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        footer.putInt(maskedCrc32c(data, 0, data.length));
        out.write(footer.array());
    }

    /**
     * Reads every record of a stream, checking both CRCs of each.
     *
     * @param in the stream, positioned at a record boundary
     * @return the payloads in order
     * @throws IOException on a CRC mismatch (names the record) or a truncated record
     */
    public static List<byte[]> readAll(InputStream in) throws IOException {
        List<byte[]> records = new ArrayList<>();
        byte[] header = new byte[12];
        while (true) {
            int first = in.read();
            if (first < 0) {
                return records;
            }
            header[0] = (byte) first;
            readFully(in, header, 1, 11, records.size());
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            long length = h.getLong();
            if (h.getInt() != maskedCrc32c(header, 0, 8)) {
                throw new IOException("record " + records.size() + ": length CRC mismatch; the file is corrupt");
            }
            if (length < 0 || length > Integer.MAX_VALUE - 8) {
                throw new IOException("record " + records.size() + ": implausible length " + length);
            }
            byte[] data = new byte[(int) length];
            readFully(in, data, 0, data.length, records.size());
            byte[] footer = new byte[4];
            readFully(in, footer, 0, 4, records.size());
            if (ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt()
                    != maskedCrc32c(data, 0, data.length)) {
                throw new IOException("record " + records.size() + ": data CRC mismatch; the file is corrupt");
            }
            records.add(data);
        }
    }

    private static void readFully(InputStream in, byte[] buffer, int offset, int length, int record)
            throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(buffer, offset + done, length - done);
            if (n < 0) {
                throw new EOFException("record " + record + " is truncated (a writer may still be appending)");
            }
            done += n;
        }
    }

    /** Helper for building protobuf messages by hand. */
    static ByteArrayOutputStream buffer() {
        return new ByteArrayOutputStream(64);
    }
}
