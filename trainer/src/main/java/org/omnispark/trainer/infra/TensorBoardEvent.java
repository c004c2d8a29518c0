package org.omnispark.trainer.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The subset of TensorFlow's {@code Event} protobuf that scalar logging needs, with a hand-written wire encoding:
 *
 * <pre>
 *   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }
 *   Value   { string tag = 1; float simple_value = 2; }
 * </pre>
 *
 * @param wallTime seconds since the Unix epoch
 * @param step the global step
 * @param fileVersion "brain.Event:2" in a file's first event, otherwise empty
 * @param scalars tag to simple_value, in order
 */
public record TensorBoardEvent(double wallTime, long step, String fileVersion, Map<String, Float> scalars) {

    /** Validates and copies. */
    public TensorBoardEvent {
        fileVersion = fileVersion == null ? "" : fileVersion;
        scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars == null ? Map.of() : scalars));
    }

    /** @return the protobuf encoding */
    public byte[] encode() {
        ByteArrayOutputStream out = TfRecords.buffer();
        tag(out, 1, 1);
        writeFixed64(out, Double.doubleToRawLongBits(wallTime));
        if (step != 0) {
            tag(out, 2, 0);
            writeVarint(out, step);
        }
        if (!fileVersion.isEmpty()) {
            writeBytes(out, 3, fileVersion.getBytes(StandardCharsets.UTF_8));
        }
        if (!scalars.isEmpty()) {
            ByteArrayOutputStream summary = TfRecords.buffer();
            for (Map.Entry<String, Float> scalar : scalars.entrySet()) {
                ByteArrayOutputStream value = TfRecords.buffer();
                writeBytes(value, 1, scalar.getKey().getBytes(StandardCharsets.UTF_8));
                tag(value, 2, 5);
                writeFixed32(value, Float.floatToRawIntBits(scalar.getValue()));
                writeBytes(summary, 1, value.toByteArray());
            }
            writeBytes(out, 5, summary.toByteArray());
        }
        return out.toByteArray();
    }

    /**
     * Parses an Event, skipping fields outside the subset.
     *
     * @param data the protobuf bytes
     * @return the event
     * @throws IOException if the bytes are not a valid protobuf message
     */
    public static TensorBoardEvent decode(byte[] data) throws IOException {
        ProtoReader in = new ProtoReader(data, 0, data.length);
        double wallTime = 0;
        long step = 0;
        String fileVersion = "";
        Map<String, Float> scalars = new LinkedHashMap<>();
        while (in.hasMore()) {
            long key = in.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 1) {
                wallTime = Double.longBitsToDouble(in.fixed64());
            } else if (field == 2 && wire == 0) {
                step = in.varint();
            } else if (field == 3 && wire == 2) {
                fileVersion = new String(in.bytes(), StandardCharsets.UTF_8);
            } else if (field == 5 && wire == 2) {
                decodeSummary(in.bytes(), scalars);
            } else {
                in.skip(wire);
            }
        }
        return new TensorBoardEvent(wallTime, step, fileVersion, scalars);
    }

    private static void decodeSummary(byte[] data, Map<String, Float> scalars) throws IOException {
        ProtoReader summary = new ProtoReader(data, 0, data.length);
        while (summary.hasMore()) {
            long key = summary.varint();
            if (key >>> 3 != 1 || (key & 7) != 2) {
                summary.skip((int) (key & 7));
                continue;
            }
            byte[] valueBytes = summary.bytes();
            ProtoReader value = new ProtoReader(valueBytes, 0, valueBytes.length);
            String tag = null;
            Float simple = null;
            while (value.hasMore()) {
                long k = value.varint();
                if (k >>> 3 == 1 && (k & 7) == 2) {
                    tag = new String(value.bytes(), StandardCharsets.UTF_8);
                } else if (k >>> 3 == 2 && (k & 7) == 5) {
                    simple = Float.intBitsToFloat(value.fixed32());
                } else {
                    value.skip((int) (k & 7));
                }
            }
            if (tag != null && simple != null) {
                scalars.put(tag, simple);
            }
        }
    }

    private static void tag(ByteArrayOutputStream out, int field, int wireType) {
        writeVarint(out, ((long) field << 3) | wireType);
    }

    private static void writeBytes(ByteArrayOutputStream out, int field, byte[] bytes) {
        tag(out, field, 2);
        writeVarint(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static void writeFixed64(ByteArrayOutputStream out, long value) {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array(), 0, 8);
    }

    private static void writeFixed32(ByteArrayOutputStream out, int value) {
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array(), 0, 4);
    }

    /** Minimal protobuf wire-format reader over a byte range. */
    private static final class ProtoReader {
        private final byte[] data;
        private int position;
        private final int end;

        ProtoReader(byte[] data, int offset, int length) {
            this.data = data;
            this.position = offset;
            this.end = offset + length;
        }

        boolean hasMore() {
            return position < end;
        }

        long varint() throws IOException {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = next();
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IOException("malformed varint at byte " + position);
        }

        long fixed64() throws IOException {
            require(8);
            long v = ByteBuffer.wrap(data, position, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            position += 8;
            return v;
        }

        int fixed32() throws IOException {
            require(4);
            int v = ByteBuffer.wrap(data, position, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            position += 4;
            return v;
        }

        byte[] bytes() throws IOException {
            int length = Math.toIntExact(varint());
            require(length);
            byte[] result = java.util.Arrays.copyOfRange(data, position, position + length);
            position += length;
            return result;
        }

        void skip(int wireType) throws IOException {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> fixed64();
                case 2 -> bytes();
                case 5 -> fixed32();
                default -> throw new IOException("unsupported protobuf wire type " + wireType);
            }
        }

        private int next() throws IOException {
            require(1);
            return data[position++] & 0xFF;
        }

        private void require(int n) throws IOException {
            if (n < 0 || position + n > end) {
                throw new IOException("protobuf message truncated at byte " + position);
            }
        }
    }
}
