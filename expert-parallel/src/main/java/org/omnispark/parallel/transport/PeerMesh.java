package org.omnispark.parallel.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * starts with a hello (magic, job token, from-rank, to-rank) that the acceptor checks, so a connection from another
 * job or attempt, or from a wrong rank, is refused.
 *
 * <p>Exchanges ({@link #exchange}) send and receive one frame per peer concurrently and wait at most the timeout;
 * on a timeout or a broken connection the mesh is closed (unblocking every thread) and the error names this rank,
 * the peer and the phase.
 */
public final class PeerMesh implements AutoCloseable {

    private static final int HELLO_MAGIC = 0x4F4C4548;

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
     * @param jobToken a number that only this job attempt's ranks know
     * @param timeoutMillis the longest wait for any peer
     * @param allGather exchanges one string per rank, returning all of them in rank order
     * @return the connected mesh
     */
    public static PeerMesh open(int rank, int size, String bindHost, long jobToken, long timeoutMillis,
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
                links[peer] = new PeerLink(rank, peer, connect(rank, peer, endpoints.get(peer), jobToken, deadline));
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
                int peer = acceptHello(rank, channel, jobToken, deadline);
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

    private static SocketChannel connect(int rank, int peer, String endpoint, long token, long deadline)
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
                ByteBuffer hello = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
                hello.putInt(HELLO_MAGIC).putLong(token).putInt(rank).putInt(peer).flip();
                Frames.writeFully(channel, hello);
                // a blocking channel ignores SO_TIMEOUT; its socket's stream honours it
                channel.socket().setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                byte[] ack = channel.socket().getInputStream().readNBytes(4);
                channel.socket().setSoTimeout(0);
                if (ack.length < 4 || ByteBuffer.wrap(ack).order(ByteOrder.LITTLE_ENDIAN).getInt() != HELLO_MAGIC) {
                    throw new IOException("rank " + peer + " at " + endpoint + " refused the hello");
                }
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

    /** Reads and checks a hello; returns the peer's rank, or -1 for a connection that does not belong. */
    private static int acceptHello(int rank, SocketChannel channel, long token, long deadline) {
        try {
            channel.socket().setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
            ByteBuffer hello = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            // a blocking channel ignores SO_TIMEOUT, so read through the socket's stream for the hello
            byte[] bytes = channel.socket().getInputStream().readNBytes(20);
            if (bytes.length < 20) {
                return -1;
            }
            hello.put(bytes).flip();
            int magic = hello.getInt();
            long peerToken = hello.getLong();
            int from = hello.getInt();
            int to = hello.getInt();
            if (magic != HELLO_MAGIC || peerToken != token || to != rank || from < 0 || from >= rank) {
                return -1;
            }
            ByteBuffer ack = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(HELLO_MAGIC);
            ack.flip();
            Frames.writeFully(channel, ack);
            channel.socket().setSoTimeout(0);
            return from;
        } catch (IOException e) {
            return -1;
        }
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
