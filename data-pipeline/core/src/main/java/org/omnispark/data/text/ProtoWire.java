package org.omnispark.data.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal reader and writer of the protocol buffers wire format: just what a SentencePiece
 * {@code ModelProto} needs (varints, 32-bit floats, length-delimited strings and sub-messages). Unknown fields
 * are skipped by the reader, so newer SentencePiece models still load.
 */
final class ProtoWire {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private ProtoWire() {
    }

    /** Reads one message's fields in order; {@link #next()} returns false at the end of the message. */
    static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;
        private int tag;

        Reader(byte[] buf) {
            this(buf, 0, buf.length);
        }

        private Reader(byte[] buf, int offset, int end) {
            this.buf = buf;
            this.pos = offset;
            this.end = end;
        }

        /** Advances to the next field; returns false when the message is exhausted. */
        boolean next() {
            if (pos >= end) {
                return false;
            }
            long key = readVarint();
            tag = (int) key;
            if (fieldNumber() <= 0) {
                throw corrupt("field number " + fieldNumber());
            }
            return true;
        }

        int fieldNumber() {
            return tag >>> 3;
        }

        int wireType() {
            return tag & 7;
        }

        long readVarint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw corrupt("truncated varint");
                }
                byte b = buf[pos++];
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw corrupt("varint longer than 10 bytes");
        }

        int readInt32() {
            expect(VARINT);
            return (int) readVarint();
        }

        boolean readBool() {
            expect(VARINT);
            return readVarint() != 0;
        }

        float readFloat() {
            expect(FIXED32);
            return Float.intBitsToFloat(readFixed32());
        }

        byte[] readBytes() {
            expect(LENGTH_DELIMITED);
            int len = readLength();
            byte[] out = new byte[len];
            System.arraycopy(buf, pos, out, 0, len);
            pos += len;
            return out;
        }

        String readString() {
            return new String(readBytes(), StandardCharsets.UTF_8);
        }

        Reader readMessage() {
            expect(LENGTH_DELIMITED);
            int len = readLength();
            Reader sub = new Reader(buf, pos, pos + len);
            pos += len;
            return sub;
        }

        /** Skips the current field's value, whatever its wire type. */
        void skip() {
            switch (wireType()) {
                case VARINT -> readVarint();
                case FIXED64 -> advance(8);
                case LENGTH_DELIMITED -> advance(readLength());
                case FIXED32 -> advance(4);
                default -> throw corrupt("unsupported wire type " + wireType() + " (groups are not supported)");
            }
        }

        private int readFixed32() {
            advance(4);
            return (buf[pos - 4] & 0xFF) | (buf[pos - 3] & 0xFF) << 8 | (buf[pos - 2] & 0xFF) << 16
                    | (buf[pos - 1] & 0xFF) << 24;
        }

        private int readLength() {
            long len = readVarint();
            if (len < 0 || len > end - pos) {
                throw corrupt("length " + len + " runs past the end of the message");
            }
            return (int) len;
        }

        private void advance(int n) {
            if (n > end - pos) {
                throw corrupt("field runs past the end of the message");
            }
            pos += n;
        }

        private void expect(int wireType) {
            if (wireType() != wireType) {
                throw corrupt("field " + fieldNumber() + " has wire type " + wireType() + ", expected " + wireType);
            }
        }

        private IllegalArgumentException corrupt(String what) {
            return new IllegalArgumentException("Not a valid SentencePiece model (protobuf wire format): " + what
                    + " at byte " + pos + ". Pass the .model file written by spm_train, not the .vocab file.");
        }
    }

    /** Appends fields to a growing buffer. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer writeInt32(int field, int value) {
            writeTag(field, VARINT);
            writeVarint(value); // negative int32 values are sign-extended to 10 bytes, as protobuf does
            return this;
        }

        Writer writeBool(int field, boolean value) {
            writeTag(field, VARINT);
            writeVarint(value ? 1 : 0);
            return this;
        }

        Writer writeFloat(int field, float value) {
            writeTag(field, FIXED32);
            int bits = Float.floatToIntBits(value);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
            return this;
        }

        Writer writeBytes(int field, byte[] value) {
            writeTag(field, LENGTH_DELIMITED);
            writeVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        Writer writeString(int field, String value) {
            return writeBytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Writer writeMessage(int field, Writer message) {
            return writeBytes(field, message.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void writeTag(int field, int wireType) {
            writeVarint(((long) field << 3) | wireType);
        }

        private void writeVarint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
