package org.omnispark.parallel.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A full mesh of TCP connections between the N ranks of a job: one connection per pair, opened at start-up and kept
 * for the whole run.
 *
 * <p>Rendezvous: each rank binds a server socket on its executor's own address (port chosen by the OS), the ranks
 * exchange "host:port" through {@code allGather} (in a Spark job: {@code BarrierTaskContext.allGather}, which rides
 * Spark's RPC), then rank i connects to every rank j &gt; i and accepts from every rank j &lt; i. Each connection
 * starts with a mutual HMAC challenge ({@link Handshake}) with a key only this job attempt's ranks hold, so a
 * connection from a stranger, another job or another attempt, or one claiming a wrong rank, is dropped.
 *
 * <p>Exchanges ({@link #exchange}) send and receive one frame per peer concurrently and wait at most the timeout;
 * on a timeout or a broken connection the mesh is closed (unblocking every thread) and the error names this rank,
 * the peer and the phase.
 */
public final class PeerMesh implements AutoCloseable {

    private final int rank;
    private final int size;
    private final long timeoutMillis;
    private final PeerLink[] links;
    private final BufferAllocator allocator;
    private volatile boolean closed;

    private PeerMesh(int rank, int size, long timeoutMillis, PeerLink[] links) {
        this.rank = rank;
        this.size = size;
        this.timeoutMillis = timeoutMillis;
        this.links = links;
        this.allocator = new RootAllocator();
    }

    /**
     * Opens the mesh (collective over all ranks).
     *
     * @param rank this rank
     * @param size N
     * @param bindHost the address to listen on (the executor's own; 127.0.0.1 in tests)
     * @param key a secret only this job attempt's ranks hold ({@link #attemptKey})
     * @param timeoutMillis the longest wait for any peer
     * @param allGather exchanges one string per rank, returning all of them in rank order
     * @return the connected mesh
     */
    public static PeerMesh open(int rank, int size, String bindHost, byte[] key, long timeoutMillis,
            UnaryOperator<List<String>> allGather) throws IOException {
        PeerLink[] links = new PeerLink[size];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), 0), size);
            InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
            List<String> endpoints = allGather.apply(List.of(bindHost + ":" + local.getPort()));
            if (endpoints.size() != size) {
                throw new IOException("rank " + rank + ": rendezvous returned " + endpoints.size() + " endpoints for "
                        + size + " ranks");
            }
            long deadline = System.currentTimeMillis() + timeoutMillis;
            for (int peer = rank + 1; peer < size; peer++) {
                links[peer] = new PeerLink(rank, peer, connect(rank, peer, endpoints.get(peer), key, deadline));
            }
            server.configureBlocking(false);
            int expected = rank;
            while (expected > 0) {
                SocketChannel channel = server.accept();
                if (channel == null) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IOException("rank " + rank + " waited " + timeoutMillis + " ms at rendezvous for "
                                + expected + " lower rank(s) to connect; missing: " + missing(links, rank));
                    }
                    sleep(5);
                    continue;
                }
                channel.configureBlocking(true);
                int peer = acceptHello(rank, channel, key, deadline);
                if (peer < 0 || links[peer] != null) {
                    channel.close(); // a stranger or a duplicate: refused
                    continue;
                }
                tune(channel);
                links[peer] = new PeerLink(rank, peer, channel);
                expected--;
            }
        } catch (IOException | RuntimeException e) {
            for (PeerLink link : links) {
                if (link != null) {
                    link.close();
                }
            }
            throw e;
        }
        return new PeerMesh(rank, size, timeoutMillis, links);
    }

    private static String missing(PeerLink[] links, int rank) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            if (links[i] == null) {
                missing.add(i);
            }
        }
        return missing.toString();
    }

    private static SocketChannel connect(int rank, int peer, String endpoint, byte[] key, long deadline)
            throws IOException {
        int colon = endpoint.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(endpoint.substring(0, colon),
                Integer.parseInt(endpoint.substring(colon + 1)));
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.socket().connect(address, (int) Math.max(1, deadline - System.currentTimeMillis()));
                tune(channel);
                // a blocking channel ignores SO_TIMEOUT; its socket's streams honour it
                channel.socket().setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                Handshake.connect(channel.socket(), key, rank, peer);
                channel.socket().setSoTimeout(0);
                return channel;
            } catch (IOException e) {
                channel.close();
                last = e;
                sleep(20);
            }
        }
        throw new IOException("rank " + rank + " could not connect to rank " + peer + " at " + endpoint
                + " before the rendezvous timeout" + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /** Authenticates an accepted connection; returns the peer's rank, or -1 for one that does not belong. */
    private static int acceptHello(int rank, SocketChannel channel, byte[] key, long deadline) {
        try {
            channel.socket().setSoTimeout((int) Math.max(1, Math.min(10_000, deadline - System.currentTimeMillis())));
            int from = Handshake.accept(channel.socket(), key, rank);
            channel.socket().setSoTimeout(0);
            return from;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * The key of one attempt of a job.
     *
     * @param jobSecret random bytes the driver made for the job
     * @param attempt the barrier stage's attempt number
     * @return the key every rank of that attempt uses
     */
    public static byte[] attemptKey(byte[] jobSecret, int attempt) {
        return Handshake.attemptKey(jobSecret, attempt);
    }

    private static void tune(SocketChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return this rank */
    public int rank() {
        return rank;
    }

    /** @return N */
    public int size() {
        return size;
    }

    /** One frame to or from one peer within an {@link #exchange}. */
    public record Transfer(int peer, Frames.Expect frame, ByteBuffer buffer) {}

    /**
     * Sends and receives frames concurrently and waits for all of them.
     *
     * @param sends frames to send (payload buffers)
     * @param receives frames to receive (destination buffers)
     * @param phase who waits for what, for errors
     */
    public void exchange(List<Transfer> sends, List<Transfer> receives, String phase) {
        exchange(sends, receives, phase, () -> { });
    }

    /**
     * As {@link #exchange(List, List, String)}, running {@code meanwhile} on the calling thread once the transfers
     * have started (e.g. the copy of the rows a rank keeps for itself).
     *
     * @param sends frames to send
     * @param receives frames to receive
     * @param phase who waits for what
     * @param meanwhile local work overlapped with the transfers
     */
    public void exchange(List<Transfer> sends, List<Transfer> receives, String phase, Runnable meanwhile) {
        if (closed) {
            throw new IllegalStateException("rank " + rank + ": the mesh is closed (an earlier exchange failed); "
                    + "cannot run " + phase);
        }
        List<Future<Void>> futures = new ArrayList<>(sends.size() + receives.size());
        List<String> what = new ArrayList<>(sends.size() + receives.size());
        for (Transfer t : sends) {
            futures.add(links[t.peer()].send(allocator, t.frame(), t.buffer()));
            what.add("sending to rank " + t.peer());
        }
        for (Transfer t : receives) {
            futures.add(links[t.peer()].receive(t.frame(), t.buffer()));
            what.add("receiving from rank " + t.peer());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        meanwhile.run();
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                close();
                throw new TransportException("rank " + rank + " timed out after " + timeoutMillis + " ms "
                        + what.get(i) + " in " + phase + "; that rank is slow, hung or dead (raise "
                        + "expert_parallel.timeout_seconds if it is only slow)", e);
            } catch (ExecutionException e) {
                close();
                Throwable cause = e.getCause();
                String why = cause instanceof EOFException ? "the connection was closed by the peer"
                        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
                throw new TransportException("rank " + rank + " failed " + what.get(i) + " in " + phase + ": " + why,
                        cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new TransportException("rank " + rank + " was interrupted " + what.get(i) + " in " + phase, e);
            } catch (CancellationException e) {
                close();
                throw new TransportException("rank " + rank + ": " + what.get(i) + " was cancelled in " + phase, e);
            }
        }
    }

    /** Closes every connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PeerLink link : links) {
            if (link != null) {
                link.close();
            }
        }
        try {
            allocator.close();
        } catch (IllegalStateException e) {
            // a send still running on a closed socket holds its (foreign, non-owning) buffer: nothing leaks
        }
    }
}
