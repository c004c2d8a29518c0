package org.omnispark.expertparallel.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One connection to one peer, used in both directions at once: a sender thread and a receiver thread, so a full
 * socket buffer on one side can never block the other (the classic all-to-all deadlock).
 *
 * <p>The link owns its TCP connection and its two threads. Closing is two steps so a mesh can unblock all its links
 * at once, then wait for them: {@link #shutdown} closes the TCP connection underneath any TLS layer (a TLS close
 * could block behind a stuck sender) and interrupts the threads; {@link #join} waits until both threads have stopped,
 * so no thread still copies into a buffer its caller is about to free.
 */
final class PeerLink implements AutoCloseable {

    /** How long {@link #close} waits for the threads after the connection is closed. */
    static final long JOIN_MILLIS = 10_000;

    private final int self;
    private final int peer;
    private final SocketChannel tcp; // the connection underneath; the same object as out/in without TLS
    private final GatheringByteChannel out;
    private final ScatteringByteChannel in; // the same channel as out
    private final ExecutorService sender;
    private final ExecutorService receiver;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder bytesSent = new java.util.concurrent.atomic.LongAdder();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);

    /**
     * A link over a channel that reads and writes: the {@code SocketChannel} itself, or a TLS socket's {@link
     * StreamChannel} layered on it.
     */
    <C extends GatheringByteChannel & ScatteringByteChannel> PeerLink(int self, int peer, SocketChannel tcp,
            C channel) {
        this.self = self;
        this.peer = peer;
        this.tcp = tcp;
        this.out = channel;
        this.in = channel;
        this.sender = Executors.newSingleThreadExecutor(r -> daemon(r, senderName()));
        this.receiver = Executors.newSingleThreadExecutor(r -> daemon(r, receiverName()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private String senderName() {
        return "omnispark-rank" + self + "-send-" + peer;
    }

    private String receiverName() {
        return "omnispark-rank" + self + "-recv-" + peer;
    }

    int peer() {
        return peer;
    }

    /** @return whether a send or receive is queued or running */
    boolean busy() {
        return inFlight.get() > 0;
    }

    Future<Void> send(BufferAllocator allocator, Frames.Expect frame, ByteBuffer payload) {
        return submit(sender, () -> bytesSent.add(Frames.write(out, allocator, frame, payload)));
    }

    Future<Void> receive(Frames.Expect frame, ByteBuffer destination) {
        return submit(receiver, () -> Frames.read(in, peer, frame, destination, scratch));
    }

    /** @return the bytes of every frame written to this peer so far (headers, metadata, bodies, padding) */
    long bytesSent() {
        return bytesSent.sum();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private Future<Void> submit(ExecutorService thread, IoAction action) {
        inFlight.incrementAndGet();
        Callable<Void> call = () -> {
            try {
                action.run();
                return null;
            } finally {
                inFlight.decrementAndGet();
            }
        };
        try {
            return thread.submit(call);
        } catch (RuntimeException e) { // shut down
            inFlight.decrementAndGet();
            throw e;
        }
    }

    /**
     * Closes the TCP connection (waking any read or write blocked on it) and stops accepting work; returns at once.
     *
     * @param hard reset the connection (unsent bytes dropped), for a failed exchange; else buffered bytes are still
     *     delivered
     */
    void shutdown(boolean hard) {
        Connections.close(tcp, hard);
        sender.shutdownNow();
        receiver.shutdownNow();
    }

    /**
     * Waits until both threads have stopped.
     *
     * @param millis the longest wait for both
     * @return what did not stop in time, naming the thread and the peer; empty when both stopped
     */
    List<String> join(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        List<String> stuck = new ArrayList<>(2);
        if (!await(sender, end)) {
            stuck.add("the sender thread " + senderName() + " (to rank " + peer + ")");
        }
        if (!await(receiver, end)) {
            stuck.add("the receiver thread " + receiverName() + " (from rank " + peer + ")");
        }
        return stuck;
    }

    private static boolean await(ExecutorService thread, long endNanos) {
        try {
            return thread.awaitTermination(Math.max(0, endNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return thread.isTerminated();
        }
    }

    /**
     * Closes the connection softly and waits for the threads.
     *
     * @throws IllegalStateException naming the thread and the peer when a thread did not stop within {@value
     *     #JOIN_MILLIS} ms (its buffers must then not be freed)
     */
    @Override
    public void close() {
        shutdown(busy());
        List<String> stuck = join(JOIN_MILLIS);
        if (!stuck.isEmpty()) {
            throw new IllegalStateException("rank " + self + ": " + String.join(" and ", stuck) + " did not stop within "
                    + JOIN_MILLIS + " ms after its connection was closed");
        }
    }
}
