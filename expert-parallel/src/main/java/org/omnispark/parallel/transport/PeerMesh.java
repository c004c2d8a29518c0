package org.omnispark.parallel.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.arrow.memory.BufferAllocator;
import jdk.net.ExtendedSocketOptions;
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

    static final int KEEPALIVE_IDLE_S = 2;
    static final int KEEPALIVE_INTERVAL_S = 1;
    static final int KEEPALIVE_PROBES = 3;

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
        return open(rank, size, bindHost, key, timeoutMillis, allGather, null);
    }

    /**
     * Opens the mesh (collective over all ranks), over TLS when {@code tls} is given: mutual TLS 1.3 (each side
     * presents a certificate the other's trust store holds), then the HMAC challenge inside it.
     *
     * @param rank this rank
     * @param size N
     * @param bindHost the address to listen on (the executor's own; 127.0.0.1 in tests)
     * @param key a secret only this job attempt's ranks hold ({@link #attemptKey})
     * @param timeoutMillis the longest wait for any peer
     * @param allGather exchanges one string per rank, returning all of them in rank order
     * @param tls the TLS context ({@link MeshTls#context}), or null for plain TCP
     * @return the connected mesh
     */
    public static PeerMesh open(int rank, int size, String bindHost, byte[] key, long timeoutMillis,
            UnaryOperator<List<String>> allGather, SSLContext tls) throws IOException {
        PeerLink[] links = new PeerLink[size];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), 0), size);
            InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
            List<String> endpoints = rendezvous(rank, size, allGather, bindHost + ":" + local.getPort(),
                    timeoutMillis);
            if (endpoints.size() != size) {
                throw new IOException("rank " + rank + ": rendezvous returned " + endpoints.size() + " endpoints for "
                        + size + " ranks");
            }
            long deadline = System.currentTimeMillis() + timeoutMillis;
            for (int peer = rank + 1; peer < size; peer++) {
                links[peer] = connect(rank, peer, endpoints.get(peer), key, deadline, tls);
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
                PeerLink link = acceptHello(rank, channel, key, deadline, tls);
                if (link == null || links[link.peer()] != null) {
                    if (link != null) {
                        link.close();
                    }
                    channel.close(); // a stranger or a duplicate: refused
                    continue;
                }
                links[link.peer()] = link;
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

    /**
     * Runs the endpoint all-gather with a deadline of its own: {@code BarrierTaskContext.allGather} waits up to
     * {@code spark.barrier.sync.timeout} (365 days by default) for a rank that never arrives.
     */
    private static List<String> rendezvous(int rank, int size, UnaryOperator<List<String>> allGather, String mine,
            long timeoutMillis) throws IOException {
        ExecutorService waiter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "omnispark-rendezvous-rank-" + rank);
            t.setDaemon(true);
            return t;
        });
        Future<List<String>> endpoints = waiter.submit(() -> allGather.apply(List.of(mine)));
        try {
            return endpoints.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("rank " + rank + " of " + size + " waited " + timeoutMillis + " ms at rendezvous "
                    + "(the all-gather of the exchange endpoints) and not every rank arrived: an executor may have "
                    + "died or be starting slowly (raise expert_parallel.timeout_seconds for slow starts)", e);
        } catch (ExecutionException e) {
            throw new IOException("rank " + rank + " of " + size + ": the rendezvous all-gather failed: "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("rank " + rank + " was interrupted at rendezvous", e);
        } finally {
            waiter.shutdownNow(); // interrupts a still-waiting all-gather
        }
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

    private static PeerLink connect(int rank, int peer, String endpoint, byte[] key, long deadline, SSLContext tls)
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
                Socket socket = secure(channel, tls, true, (int) Math.max(1, deadline - System.currentTimeMillis()));
                Handshake.connect(socket, key, rank, peer);
                socket.setSoTimeout(0);
                return link(rank, peer, channel, socket);
            } catch (IOException e) {
                channel.close();
                last = e;
                sleep(20);
            }
        }
        throw new IOException("rank " + rank + " could not connect to rank " + peer + " at " + endpoint
                + " before the rendezvous timeout" + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /** Authenticates an accepted connection; returns its link, or null for one that does not belong. */
    private static PeerLink acceptHello(int rank, SocketChannel channel, byte[] key, long deadline, SSLContext tls) {
        try {
            tune(channel);
            Socket socket = secure(channel, tls, false,
                    (int) Math.max(1, Math.min(10_000, deadline - System.currentTimeMillis())));
            int from = Handshake.accept(socket, key, rank);
            if (from < 0) {
                return null;
            }
            socket.setSoTimeout(0);
            return link(rank, from, channel, socket);
        } catch (IOException e) {
            return null; // e.g. a plain-TCP or untrusted client on a TLS mesh
        }
    }

    /** The channel's socket, or a TLS socket layered on it (handshake done), with the given read timeout. */
    private static Socket secure(SocketChannel channel, SSLContext tls, boolean client, int timeoutMillis)
            throws IOException {
        Socket plain = channel.socket();
        plain.setSoTimeout(timeoutMillis);
        if (tls == null) {
            return plain;
        }
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain,
                plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        socket.setUseClientMode(client);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        if (!client) {
            socket.setNeedClientAuth(true);
        }
        socket.setSoTimeout(timeoutMillis);
        socket.startHandshake();
        return socket;
    }

    private static PeerLink link(int rank, int peer, SocketChannel channel, Socket socket) throws IOException {
        if (socket == channel.socket()) {
            return new PeerLink(rank, peer, channel);
        }
        StreamChannel tls = new StreamChannel(socket);
        return new PeerLink(rank, peer, tls);
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

    /**
     * Low latency, big buffers, and kernel heartbeats: with TCP keep-alive probes after {@value #KEEPALIVE_IDLE_S} s
     * of silence, every {@value #KEEPALIVE_INTERVAL_S} s, {@value #KEEPALIVE_PROBES} missed, a peer whose host died or
     * whose network vanished (no FIN, no RST) fails the next read within seconds. A peer process that dies closes its
     * connections at once; a hung one is caught by the exchange timeout.
     */
    static void tune(SocketChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) { // Linux, macOS
            channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_S);
            channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL_S);
            channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_PROBES);
        }
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
