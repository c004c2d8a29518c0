package org.omnispark.expertparallel.transport;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Accepts connections on a rank's listening socket and handshakes each on its own thread, so no connection can delay
 * another: a stranger that stays silent, or sends the public magic and then one byte every few seconds, holds only
 * its own slot. Each handshake (TLS, then the HMAC challenge) has one absolute deadline from its accept, {@link
 * MeshOptions#handshakeMillis}: the connection is closed then, whatever it is doing. At most {@link
 * MeshOptions#maxPendingHandshakes} handshakes run at once; a connection beyond them is closed at once. Connections
 * that prove they are a lower rank of this attempt come out of {@link #poll}; {@link #close} closes every connection
 * still handshaking and waits for the threads.
 */
final class HandshakeAcceptor implements AutoCloseable {

    private static final long JOIN_MILLIS = 5_000;

    private final int rank;
    private final ServerSocketChannel server;
    private final byte[] key;
    private final MeshOptions options;
    private final ScheduledExecutorService deadlines;
    private final Semaphore slots;
    private final Set<SocketChannel> pending = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<PeerLink> authenticated = new LinkedBlockingQueue<>();
    private final ExecutorService handshakes;
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Starts accepting.
     *
     * @param rank this rank
     * @param server a bound, blocking server channel (closed by {@link #close})
     * @param key the attempt's key
     * @param options the handshake deadline, the cap on pending handshakes and TLS
     * @param deadlines where the handshake deadlines are scheduled
     */
    HandshakeAcceptor(int rank, ServerSocketChannel server, byte[] key, MeshOptions options,
            ScheduledExecutorService deadlines) {
        this.rank = rank;
        this.server = server;
        this.key = key;
        this.options = options;
        this.deadlines = deadlines;
        this.slots = new Semaphore(options.maxPendingHandshakes());
        this.handshakes = Executors.newCachedThreadPool(r -> daemon(r, "omnispark-rank" + rank + "-handshake"));
        this.acceptor = daemon(this::acceptLoop, "omnispark-rank" + rank + "-accept");
        acceptor.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return; // closed by close()
            } catch (IOException e) { // e.g. out of file descriptors: try again shortly
                sleep(10);
                continue;
            }
            if (closed || !slots.tryAcquire()) {
                Connections.close(channel, true); // over the cap: closed at once
                continue;
            }
            pending.add(channel);
            ScheduledFuture<?> deadline = deadlines.schedule(() -> Connections.close(channel, true),
                    options.handshakeMillis(), TimeUnit.MILLISECONDS);
            try {
                handshakes.execute(() -> handshake(channel, deadline));
            } catch (RejectedExecutionException e) { // closing
                deadline.cancel(false);
                finish(channel, null);
            }
        }
    }

    /** Runs one connection's handshake; the deadline closes the channel, which ends any blocked read. */
    private void handshake(SocketChannel channel, ScheduledFuture<?> deadline) {
        PeerLink link = null;
        try {
            PeerMesh.tune(channel);
            Socket socket = Connections.secure(channel, options.tls(), false, (int) options.handshakeMillis());
            int from = Handshake.accept(socket, key, rank);
            if (from >= 0 && deadline.cancel(false)) { // proved itself before its deadline
                link = Connections.link(rank, from, channel, socket);
            }
        } catch (IOException | RuntimeException e) {
            // a plain-TCP or untrusted client on a TLS mesh, a reset, the deadline: not a rank of this attempt
        } finally {
            deadline.cancel(false);
            finish(channel, link);
        }
    }

    private void finish(SocketChannel channel, PeerLink link) {
        pending.remove(channel);
        slots.release();
        if (link == null) {
            Connections.close(channel, true);
        } else {
            authenticated.add(link); // close() closes links nobody took
        }
    }

    /**
     * The next connection that proved it is a lower rank of this attempt.
     *
     * @param millis the longest wait
     * @return its link, or null when none came in time
     */
    PeerLink poll(long millis) throws InterruptedException {
        return authenticated.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** Stops accepting, closes every connection still handshaking and every link nobody took, and waits. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closed
        }
        for (SocketChannel channel : pending) {
            Connections.close(channel, true); // wakes its handshake thread
        }
        handshakes.shutdown();
        boolean interrupted = false;
        try {
            acceptor.join(JOIN_MILLIS);
            if (!handshakes.awaitTermination(JOIN_MILLIS, TimeUnit.MILLISECONDS)) {
                handshakes.shutdownNow();
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        for (SocketChannel channel : pending) {
            Connections.close(channel, true); // accepted while closing
        }
        for (PeerLink link; (link = authenticated.poll()) != null; ) {
            link.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
