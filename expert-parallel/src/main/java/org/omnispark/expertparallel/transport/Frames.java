package org.omnispark.expertparallel.transport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * The wire format between ranks: a fixed 32-byte frame header, then one Arrow IPC encapsulated record-batch message
 * (continuation marker, flatbuffer metadata, 8-byte aligned body) whose body goes straight from the sender's tensor
 * memory to the socket and from the socket into the receiver's tensor memory.
 *
 * <pre>
 *   header  int32 magic 0x4B50534F ("OSPK")  int16 kind  int16 dtype  int64 sequence  int64 rows  int32 columns
 *           int32 phaseHash
 *   arrow   0xFFFFFFFF  int32 metadataLength  Message{RecordBatch}  body
 *   kind ROWS:   one column FixedSizeList&lt;dtype&gt;[columns]: buffers [validity 0 B, child validity 0 B, data]
 *   kind FLOATS: one column of dtype (columns = 1):            buffers [validity 0 B, data]
 *   kind LONGS:  one column int64 (columns = 1):               buffers [validity 0 B, data]
 *   dtype: {@link WireDtype#code}: 0 float32, 1 bfloat16 (ROWS and FLOATS), 2 int64 (LONGS)
 * </pre>
 *
 * The receiver knows what it expects (kind, dtype, sequence, rows, columns, phase: collectives are deterministic;
 * the dtype comes from {@link MeshOptions#wireDtype}, the same on every rank of a job), checks
 * the header and the Arrow metadata against it before reading the body, and allocates nothing from a length the
 * peer sent: the metadata is read into a fixed-size buffer and the body into memory sized by the receiver.
 */
public final class Frames {

    /** Frame magic, "OSPK" little-endian. */
    public static final int MAGIC = 0x4B50534F;
    /** Float rows of a fixed width (float32 or bfloat16). */
    public static final int ROWS = 1;
    /** A float vector (all-reduce chunks; float32 or bfloat16). */
    public static final int FLOATS = 2;
    /** An int64 vector (counts, agreements). */
    public static final int LONGS = 3;

    static final int HEADER_BYTES = 32;
    private static final byte[] ZEROS = new byte[8];
    private static final int MAX_METADATA_BYTES = 1024;

    private Frames() {}

    /**
     * What a frame is (the sender's view) or must be (the receiver's).
     *
     * @param kind {@link #ROWS}, {@link #FLOATS} or {@link #LONGS}
     * @param dtype the values' type: a float one for ROWS and FLOATS, INT64 for LONGS
     * @param sequence the collective's number in its group
     * @param rows rows (or values)
     * @param columns values per row (1 for FLOATS and LONGS)
     * @param phase the collective's label; both sides must use the same
     */
    public record Expect(int kind, WireDtype dtype, long sequence, long rows, int columns, String phase) {
        /** Validates. */
        public Expect {
            if (kind != ROWS && kind != FLOATS && kind != LONGS || dtype.isFloat() == (kind == LONGS)) {
                throw new IllegalArgumentException("no frame of kind " + kind + " carries " + dtype);
            }
        }

        /** A frame of the kind's full-width type: float32 for ROWS and FLOATS, int64 for LONGS. */
        public Expect(int kind, long sequence, long rows, int columns, String phase) {
            this(kind, kind == LONGS ? WireDtype.INT64 : WireDtype.FLOAT32, sequence, rows, columns, phase);
        }

        /** @return payload bytes @throws ArithmeticException when they overflow a long */
        public long payloadBytes() {
            return Math.multiplyExact(Math.multiplyExact(rows, (long) columns), (long) dtype.bytes());
        }
    }

    /**
     * Writes one frame. The payload is any direct buffer (a tensor's memory); nothing is copied on the Java side.
     *
     * @param channel a blocking socket channel
     * @param allocator wraps the payload as an Arrow buffer (accounting only; no allocation)
     * @param expect kind, sequence, rows and columns of this frame, and its phase
     * @param payload direct buffer of exactly {@code expect.payloadBytes()} bytes, little-endian values
     * @return the bytes written to the channel: header, Arrow metadata, body and padding
     */
    static long write(GatheringByteChannel channel, BufferAllocator allocator, Expect expect, ByteBuffer payload)
            throws IOException {
        long bytes = expect.payloadBytes();
        if (payload.remaining() != bytes) {
            throw new IllegalArgumentException("frame payload has " + payload.remaining() + " bytes, expected "
                    + bytes);
        }
        ArrowBuf data = bytes == 0 ? allocator.getEmpty() : allocator.wrapForeignAllocation(
                new ForeignAllocation(bytes, MemoryUtil.getByteBufferAddress(payload) + payload.position()) {
                    @Override
                    protected void release0() {
                        // the memory belongs to the tensor
                    }
                });
        List<ArrowFieldNode> nodes = expect.kind() == ROWS
                ? List.of(new ArrowFieldNode(expect.rows(), 0), new ArrowFieldNode(expect.rows() * expect.columns(), 0))
                : List.of(new ArrowFieldNode(expect.rows(), 0));
        List<ArrowBuf> buffers = expect.kind() == ROWS
                ? List.of(allocator.getEmpty(), allocator.getEmpty(), data)
                : List.of(allocator.getEmpty(), data);
        ByteBuffer prefix;
        try (ArrowRecordBatch batch = new ArrowRecordBatch(Math.toIntExact(expect.rows()), nodes, buffers)) {
            ByteBuffer metadata = MessageSerializer.serializeMetadata(batch);
            ByteArrayOutputStream bytesOut = new ByteArrayOutputStream(HEADER_BYTES + 16 + metadata.remaining());
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(MAGIC).putShort((short) expect.kind()).putShort((short) expect.dtype().code())
                    .putLong(expect.sequence()).putLong(expect.rows()).putInt(expect.columns())
                    .putInt(expect.phase().hashCode());
            bytesOut.write(header.array());
            // Arrow's own encapsulation: continuation, metadata length, metadata, padding to 8 bytes
            MessageSerializer.writeMessageBuffer(new WriteChannel(Channels.newChannel(bytesOut)), metadata.remaining(),
                    metadata);
            prefix = ByteBuffer.wrap(bytesOut.toByteArray());
        } finally {
            data.close();
        }
        // one gathering write: frame header + Arrow prefix and metadata, the body from tensor memory, its padding
        ByteBuffer[] parts = {prefix, payload.duplicate(), ByteBuffer.wrap(ZEROS, 0, (int) ((8 - bytes % 8) % 8))};
        long written = 0;
        while (parts[0].hasRemaining() || parts[1].hasRemaining() || parts[2].hasRemaining()) {
            written += channel.write(parts);
        }
        return written;
    }

    /**
     * Reads one frame into {@code destination} after checking it against {@code expect}.
     *
     * @param channel a blocking socket channel
     * @param sender the rank the frame comes from, for messages
     * @param expect what the frame must be
     * @param destination direct buffer of exactly {@code expect.payloadBytes()} bytes
     * @param scratch a direct buffer of at least 1 KiB for metadata and padding
     * @throws ProtocolException when the frame is not what was expected (the message says what differs)
     * @throws EOFException when the peer closed the connection
     */
    static void read(ScatteringByteChannel channel, int sender, Expect expect, ByteBuffer destination,
            ByteBuffer scratch) throws IOException {
        scratch.clear().limit(HEADER_BYTES + 8); // the frame header and Arrow's 8-byte prefix in one read
        readFully(channel, scratch);
        scratch.flip().order(ByteOrder.LITTLE_ENDIAN);
        int magic = scratch.getInt();
        int kind = scratch.getShort();
        int dtypeCode = scratch.getShort();
        long sequence = scratch.getLong();
        long rows = scratch.getLong();
        int columns = scratch.getInt();
        int phaseHash = scratch.getInt();
        int continuation = scratch.getInt();
        int metadataLength = scratch.getInt();
        if (magic != MAGIC) {
            throw new ProtocolException("not an OmniSpark frame (magic " + Integer.toHexString(magic) + ")");
        }
        if (sequence != expect.sequence() || phaseHash != expect.phase().hashCode()) {
            throw new ProtocolException("the peer is at another collective: it sent collective #" + sequence
                    + " while this rank expects #" + expect.sequence() + " (" + expect.phase() + "); the ranks ran "
                    + "different sequences of collectives (a rank skipped one, or runs a different model or data)");
        }
        if (kind != expect.kind() || rows != expect.rows() || columns != expect.columns()) {
            throw new ProtocolException("frame of kind " + kind + " with " + rows + " x " + columns
                    + " values, expected kind " + expect.kind() + " with " + expect.rows() + " x " + expect.columns()
                    + ": the split sizes disagree");
        }
        if (dtypeCode != expect.dtype().code()) {
            WireDtype sent = WireDtype.ofCode(dtypeCode);
            throw new ProtocolException("rank " + sender + " sent " + (sent == null ? "values of unknown dtype code "
                    + dtypeCode : sent + " values") + " in " + expect.phase() + " (collective #" + sequence
                    + "), but this rank expects " + expect.dtype() + ": the ranks disagree on "
                    + "expert_parallel.wire_dtype (they must all run the same configuration)");
        }
        long bodyLength = readArrowMetadata(channel, expect, scratch, continuation, metadataLength);
        long bytes = expect.payloadBytes();
        if (destination.remaining() != bytes) {
            throw new IllegalArgumentException("destination has " + destination.remaining() + " bytes, expected "
                    + bytes);
        }
        // the body straight into the destination, its padding (< 8 bytes, checked) into scratch: one scattering read
        ByteBuffer[] parts = {destination, scratch.clear().limit((int) (bodyLength - bytes))};
        while (parts[0].hasRemaining() || parts[1].hasRemaining()) {
            if (channel.read(parts) < 0) {
                throw new EOFException("the peer closed the connection");
            }
        }
    }

    /** Reads and checks the Arrow message prefix and metadata; returns the body length. */
    private static long readArrowMetadata(ReadableByteChannel channel, Expect expect, ByteBuffer scratch,
            int continuation, int metadataLength) throws IOException {
        if (continuation != MessageSerializer.IPC_CONTINUATION_TOKEN || metadataLength <= 0
                || metadataLength > MAX_METADATA_BYTES || metadataLength > scratch.capacity()) {
            throw new ProtocolException("bad Arrow message prefix (continuation " + Integer.toHexString(continuation)
                    + ", metadata length " + metadataLength + ")");
        }
        scratch.clear().limit(metadataLength);
        readFully(channel, scratch);
        scratch.flip().order(ByteOrder.LITTLE_ENDIAN);
        Message message;
        RecordBatch batch;
        try {
            message = Message.getRootAsMessage(scratch);
            if (message.headerType() != MessageHeader.RecordBatch) {
                throw new ProtocolException("Arrow message of type " + message.headerType() + ", expected a record"
                        + " batch");
            }
            batch = (RecordBatch) message.header(new RecordBatch());
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new ProtocolException("unreadable Arrow metadata: " + e.getMessage());
        }
        long bytes = expect.payloadBytes();
        long padded = (bytes + 7) / 8 * 8;
        int expectedBuffers = expect.kind() == ROWS ? 3 : 2;
        if (batch.length() != expect.rows() || batch.buffersLength() != expectedBuffers
                || message.bodyLength() != padded) {
            throw new ProtocolException("Arrow record batch of " + batch.length() + " rows, " + batch.buffersLength()
                    + " buffers, body " + message.bodyLength() + " B; expected " + expect.rows() + " rows, "
                    + expectedBuffers + " buffers, body " + padded + " B");
        }
        Buffer data = batch.buffers(expectedBuffers - 1);
        if (data.offset() != 0 || data.length() != bytes) {
            throw new ProtocolException("Arrow data buffer at offset " + data.offset() + " of " + data.length()
                    + " B, expected offset 0 and " + bytes + " B");
        }
        for (int i = 0; i < expectedBuffers - 1; i++) {
            if (batch.buffers(i).length() != 0) {
                throw new ProtocolException("Arrow validity buffer " + i + " is not empty (nulls are not allowed)");
            }
        }
        for (int i = 0; i < batch.nodesLength(); i++) {
            FieldNode node = batch.nodes(i);
            if (node.nullCount() != 0) {
                throw new ProtocolException("Arrow field node " + i + " has " + node.nullCount() + " nulls");
            }
        }
        return message.bodyLength();
    }

    static void readFully(ReadableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the peer closed the connection");
            }
        }
    }
}
