package org.omnispark.expertparallel.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * The byte channels {@link Frames} reads and writes, over a socket's streams: what a TLS connection ({@code
 * SSLSocket}) offers. Bytes are copied through a heap buffer (TLS encrypts into its own buffers anyway), so TLS costs
 * a copy that the plain {@code SocketChannel} path does not.
 */
final class StreamChannel implements GatheringByteChannel, ScatteringByteChannel {

    private static final int CHUNK = 64 << 10;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] readChunk = new byte[CHUNK];
    private final byte[] writeChunk = new byte[CHUNK];
    private volatile boolean open = true;

    StreamChannel(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int written = 0;
        while (src.hasRemaining()) {
            int n = Math.min(writeChunk.length, src.remaining());
            src.get(writeChunk, 0, n);
            out.write(writeChunk, 0, n);
            written += n;
        }
        out.flush();
        return written;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long written = 0;
        for (int i = offset; i < offset + length; i++) {
            written += write(srcs[i]);
        }
        return written;
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /** Reads what one stream read returns (at most the buffer's room); -1 at the end of the stream. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n = in.read(readChunk, 0, Math.min(readChunk.length, dst.remaining()));
        if (n > 0) {
            dst.put(readChunk, 0, n);
        }
        return n;
    }

    /** Reads into the first buffer with room, as much as one stream read returns; the caller loops. */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, 0, dsts.length);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * Closes the TLS socket with a close_notify, which can block behind a writer stuck on a full socket buffer: the
     * mesh never calls this; {@link PeerLink#shutdown} closes the TCP channel underneath instead.
     */
    @Override
    public void close() throws IOException {
        open = false;
        socket.close();
    }

    private void ensureOpen() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
