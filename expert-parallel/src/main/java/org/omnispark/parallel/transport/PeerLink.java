package org.omnispark.parallel.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One connection to one peer, used in both directions at once: a sender thread and a receiver thread, so a full
 * socket buffer on one side can never block the other (the classic all-to-all deadlock).
 */
final class PeerLink implements AutoCloseable {

    private final int peer;
    private final GatheringByteChannel out;
    private final ScatteringByteChannel in; // the same channel as out
    private final ExecutorService sender;
    private final ExecutorService receiver;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);

    /** A link over a channel that reads and writes: a {@code SocketChannel}, or a TLS socket's {@link
     * StreamChannel}. */
    <C extends GatheringByteChannel & ScatteringByteChannel> PeerLink(int self, int peer, C channel) {
        this.peer = peer;
        this.out = channel;
        this.in = channel;
        this.sender = Executors.newSingleThreadExecutor(r -> daemon(r, "omnispark-rank" + self + "-send-" + peer));
        this.receiver = Executors.newSingleThreadExecutor(r -> daemon(r, "omnispark-rank" + self + "-recv-" + peer));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    int peer() {
        return peer;
    }

    Future<Void> send(BufferAllocator allocator, Frames.Expect frame, ByteBuffer payload) {
        return sender.submit(call(() -> Frames.write(out, allocator, frame, payload)));
    }

    Future<Void> receive(Frames.Expect frame, ByteBuffer destination) {
        return receiver.submit(call(() -> Frames.read(in, frame, destination, scratch)));
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static Callable<Void> call(IoAction action) {
        return () -> {
            action.run();
            return null;
        };
    }

    /** Closes the socket (unblocking any pending read or write) and stops the threads. */
    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            // closing anyway
        }
        sender.shutdownNow();
        receiver.shutdownNow();
    }
}
