package org.omnispark.expertparallel.transport;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import jdk.net.ExtendedSocketOptions;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * TCP connections between the N ranks of a job: one connection per pair of ranks that share a process group (every
 * pair: a full mesh; or, with {@link #open(int, int, String, byte[], UnaryOperator, MeshOptions, int[])}, only this
 * rank's group peers, O(expert-parallel size + log of the replica group size) rather than O(N)), opened at start-up
 * and kept for the whole run. Each connection has a sender and a receiver thread, each started at its first use.
 *
 * <p>Set-up ({@link MeshConnector}): each rank binds a server socket on its executor's own address (port chosen by
 * the OS, or the first free one of a {@link PortRange}), the ranks exchange "host:port" through {@code allGather} (in a Spark job: {@code
 * BarrierTaskContext.allGather}, which rides Spark's RPC), then rank i dials every rank j &gt; i and accepts from every
 * rank j &lt; i. Each connection starts with a mutual HMAC challenge ({@link Handshake}) with a key only this job
 * attempt's ranks hold, so a connection from a stranger, another job or another attempt, or one claiming a wrong rank,
 * is dropped; accepted connections are handshaken concurrently, each under an absolute deadline ({@link
 * HandshakeAcceptor}).
 *
 * <p>Exchanges ({@link #exchange}) send and receive one frame per peer concurrently and wait at most the timeout;
 * on a timeout or a broken connection the mesh is closed (every connection reset, every link thread joined) and the
 * error names this rank, the peer and the phase.
 */
public final class PeerMesh implements AutoCloseable {

    static final int KEEPALIVE_IDLE_S = 2;
    static final int KEEPALIVE_INTERVAL_S = 1;
    static final int KEEPALIVE_PROBES = 3;

    private final int rank;
    private final int size;
    private final long timeoutMillis;
    private final WireDtype wireDtype;
    private final long ringPieceBytes;
    private final FrameLimit limit;
    private final PeerLink[] links;
    private final BufferAllocator allocator;
    private volatile boolean closed;
    private volatile boolean failed;

    private PeerMesh(int rank, int size, MeshOptions options, PeerLink[] links) {
        this.rank = rank;
        this.size = size;
        this.timeoutMillis = options.timeoutMillis();
        this.wireDtype = options.wireDtype();
        this.ringPieceBytes = options.ringPieceBytes();
        this.limit = new FrameLimit(rank, options.maxFrameBytes());
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
        return open(rank, size, bindHost, key, allGather, MeshOptions.of(timeoutMillis).withTls(tls));
    }

    /**
     * Opens the mesh (collective over all ranks) with explicit limits ({@link MeshConnector}).
     *
     * @param rank this rank
     * @param size N
     * @param bindHost the address to listen on (the executor's own; 127.0.0.1 in tests)
     * @param key a secret only this job attempt's ranks hold ({@link #attemptKey})
     * @param allGather exchanges one string per rank, returning all of them in rank order
     * @param options timeouts, handshake deadline and cap, the largest frame, TLS
     * @return the connected mesh
     */
    public static PeerMesh open(int rank, int size, String bindHost, byte[] key, UnaryOperator<List<String>> allGather,
            MeshOptions options) throws IOException {
        int[] everyone = new int[size];
        for (int r = 0; r < size; r++) {
            everyone[r] = r;
        }
        return open(rank, size, bindHost, key, allGather, options, everyone);
    }

    /**
     * Opens connections to some ranks only (collective over all ranks): those this rank shares a process group
     * with. The relation must be the same on every rank and symmetric (q in rank r's peers iff r in q's), as group
     * membership is; an exchange with any other rank fails at once.
     *
     * @param rank this rank
     * @param size N
     * @param bindHost the address to listen on (the executor's own; 127.0.0.1 in tests)
     * @param key a secret only this job attempt's ranks hold ({@link #attemptKey})
     * @param allGather exchanges one string per rank, returning all of them in rank order
     * @param options timeouts, handshake deadline and cap, the largest frame, TLS
     * @param peers the ranks to connect to (this rank, if present, is skipped)
     * @return the connected mesh
     */
    public static PeerMesh open(int rank, int size, String bindHost, byte[] key, UnaryOperator<List<String>> allGather,
            MeshOptions options, int[] peers) throws IOException {
        boolean[] connect = new boolean[size];
        for (int peer : peers) {
            if (peer < 0 || peer >= size) {
                throw new IllegalArgumentException("rank " + rank + ": peer " + peer + " is not a rank of " + size);
            }
            connect[peer] = peer != rank;
        }
        PeerLink[] links = MeshConnector.connect(rank, size, bindHost, key, allGather, options, connect);
        return new PeerMesh(rank, size, options, links);
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

    /** @return this rank */
    public int rank() {
        return rank;
    }

    /** @return N */
    public int size() {
        return size;
    }

    /** @return the ranks this rank is connected to, ascending */
    public int[] peers() {
        return java.util.stream.IntStream.range(0, size).filter(q -> links[q] != null).toArray();
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
        PendingExchange pending = start(sends, receives, phase);
        meanwhile.run();
        pending.await();
    }

    /**
     * Starts transfers and returns at once; {@link PendingExchange#await} waits for them. Frames to one peer leave and arrive
     * in the order they were started, so a caller can keep several exchanges in flight (a pipelined ring) as long as
     * every rank starts its frames in the same order. A buffer belongs to the link threads until its exchange has
     * been awaited (or the mesh closed after a failure).
     *
     * @param sends frames to send
     * @param receives frames to receive
     * @param phase who waits for what
     * @return the transfers under way, with a deadline of the mesh's timeout from now
     */
    public PendingExchange start(List<Transfer> sends, List<Transfer> receives, String phase) {
        if (closed) {
            throw new IllegalStateException("rank " + rank + ": the mesh is closed (an earlier exchange failed); "
                    + "cannot run " + phase);
        }
        for (Transfer t : sends) {
            requireLink(t.peer(), phase);
            limit.check(t.peer(), false, t.frame(), phase);
        }
        for (Transfer t : receives) {
            requireLink(t.peer(), phase);
            limit.check(t.peer(), true, t.frame(), phase);
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
        return new PendingExchange(this, futures, what, phase,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    }

    private void requireLink(int peer, String phase) {
        if (peer < 0 || peer >= size || links[peer] == null) {
            throw new IllegalStateException("rank " + rank + " has no connection to rank " + peer + " (it shares no "
                    + "process group with it; connected: " + java.util.Arrays.toString(peers()) + "), needed by "
                    + phase);
        }
    }

    /** @return the largest frame this mesh sends or receives, for callers that size buffers from peers' counts */
    public FrameLimit frameLimit() {
        return limit;
    }

    /** @return the longest wait for a peer */
    long timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * @return the type token rows and all-reduce chunks travel as ({@link MeshOptions#wireDtype}: {@code
     *     expert_parallel.wire_dtype}), the same on every rank of a job
     */
    public WireDtype wireDtype() {
        return wireDtype;
    }

    /** @return the ring all-reduce's piece in bytes on a float32 wire ({@link MeshOptions#ringPieceBytes}), 0: none */
    public long ringPieceBytes() {
        return ringPieceBytes;
    }

    /**
     * @return the bytes of every frame this rank has written to its peers: headers, Arrow metadata, bodies and padding
     *     (under TLS, the plaintext: records add their own overhead)
     */
    public long bytesSent() {
        long total = 0;
        for (PeerLink link : links) {
            if (link != null) {
                total += link.bytesSent();
            }
        }
        return total;
    }

    /**
     * Closes the mesh after a failed exchange: every connection reset, every link thread joined before the caller
     * frees the exchange's buffers. Returns "" or what did not stop (then the buffers must not be freed).
     */
    String fail() {
        failed = true;
        try {
            close();
            return "";
        } catch (TransportException e) {
            return "; moreover " + e.getMessage();
        }
    }

    /**
     * Closes every connection, then waits for every link's threads, then frees this mesh's memory. After a failed
     * exchange, or with a transfer still running, connections are reset (SO_LINGER 0) so nothing can block; otherwise
     * closed normally, so bytes already sent still arrive. Never a TLS close_notify: it can block behind a sender
     * stuck on a full socket buffer.
     *
     * @throws TransportException naming the threads and peers when a link thread did not stop within {@value
     *     PeerLink#JOIN_MILLIS} ms; the mesh's memory is then left to the garbage collector rather than freed under it
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean hard = failed;
        for (PeerLink link : links) {
            hard |= link != null && link.busy();
        }
        for (PeerLink link : links) {
            if (link != null) {
                link.shutdown(hard);
            }
        }
        List<String> stuck = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PeerLink.JOIN_MILLIS);
        for (PeerLink link : links) {
            if (link != null) {
                stuck.addAll(link.join(Math.max(0, (end - System.nanoTime()) / 1_000_000)));
            }
        }
        if (!stuck.isEmpty()) {
            throw new TransportException("rank " + rank + ": " + String.join(", ", stuck) + " did not stop within "
                    + PeerLink.JOIN_MILLIS + " ms after the connections were closed; the buffers they use were not "
                    + "freed (a JVM bug or a blocked native copy: take a thread dump)", null);
        }
        try {
            allocator.close();
        } catch (IllegalStateException e) {
            // every thread has stopped and released its wrapped (foreign, non-owning) buffers: nothing leaks
        }
    }
}
