package org.omnispark.expertparallel.transport;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * The set-up of a mesh (collective over all ranks): rank i listens, the ranks exchange "host:port" through {@code
 * allGather}, then rank i dials every peer j &gt; i and accepts every peer j &lt; i, its peers being the ranks it
 * shares a process group with (every rank, or only the members of its groups: the relation must be symmetric). Accepted connections are
 * handshaken concurrently by a {@link HandshakeAcceptor}, which starts as soon as the port is bound, so strangers on
 * the port are handled (and dropped) while the rendezvous and the dialling go on. Every connection, dialled or
 * accepted, has one absolute handshake deadline; the whole set-up has the mesh timeout.
 */
final class MeshConnector {

    /** The listen backlog: the acceptor drains it at once, so this only absorbs bursts. */
    private static final int BACKLOG = 256;

    private MeshConnector() {}

    /**
     * Connects this rank to its peers.
     *
     * @param peers for each rank, whether this rank connects to it (the same relation on every rank, symmetric)
     * @return one link per peer (null at this rank's index and at every rank that is not a peer)
     */
    static PeerLink[] connect(int rank, int size, String bindHost, byte[] key, UnaryOperator<List<String>> allGather,
            MeshOptions options, boolean[] peers) throws IOException {
        PeerLink[] links = new PeerLink[size];
        ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "omnispark-rank" + rank + "-handshake-deadlines");
            t.setDaemon(true);
            return t;
        });
        try (ServerSocketChannel server = listen(rank, bindHost, options.ports())) {
            InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
            try (HandshakeAcceptor acceptor = new HandshakeAcceptor(rank, server, key, options, deadlines)) {
                List<String> endpoints = rendezvous(rank, size, allGather, bindHost + ":" + local.getPort(),
                        options.timeoutMillis());
                if (endpoints.size() != size) {
                    throw new IOException("rank " + rank + ": rendezvous returned " + endpoints.size()
                            + " endpoints for " + size + " ranks");
                }
                long deadline = System.currentTimeMillis() + options.timeoutMillis();
                for (int peer = rank + 1; peer < size; peer++) {
                    if (peers[peer]) {
                        links[peer] = dial(rank, peer, endpoints.get(peer), key, deadline, options, deadlines);
                    }
                }
                int expected = 0;
                for (int peer = 0; peer < rank; peer++) {
                    expected += peers[peer] ? 1 : 0;
                }
                while (expected > 0) {
                    PeerLink link = acceptor.poll(deadline - System.currentTimeMillis());
                    if (link == null) {
                        throw new IOException("rank " + rank + " waited " + options.timeoutMillis() + " ms at "
                                + "rendezvous for " + expected + " lower rank(s) to connect; missing: "
                                + missing(links, peers, rank));
                    }
                    if (links[link.peer()] != null || !peers[link.peer()]) {
                        link.close(); // a duplicate, or a rank of this attempt that shares no group with this one
                        continue;
                    }
                    links[link.peer()] = link;
                    expected--;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll(links);
            throw new IOException("rank " + rank + " was interrupted at rendezvous", e);
        } catch (IOException | RuntimeException e) {
            closeAll(links);
            throw e;
        } finally {
            deadlines.shutdownNow();
        }
        return links;
    }

    /**
     * A server socket on {@code host}: on a port the OS chooses, or on the first free port of {@code ports}.
     *
     * @throws BindException naming the range when every port of it is taken
     */
    static ServerSocketChannel listen(int rank, String host, PortRange ports) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        int first = ports == null ? 0 : ports.first();
        int last = ports == null ? 0 : ports.last();
        for (int port = first; port <= last; port++) {
            ServerSocketChannel server = ServerSocketChannel.open();
            try {
                server.bind(new InetSocketAddress(address, port), BACKLOG);
                return server;
            } catch (BindException e) {
                server.close();
                if (ports == null) {
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }
        throw new BindException("rank " + rank + " found no free port in " + PortRange.PROPERTY + " " + ports
                + " on " + host + ": all " + ports.size() + " are in use (by other ranks on this host, other jobs or "
                + "other programs); widen the range to at least the ranks that run on one host at once, or free "
                + "those ports");
    }

    private static void closeAll(PeerLink[] links) {
        for (PeerLink link : links) {
            if (link != null) {
                link.close();
            }
        }
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

    private static String missing(PeerLink[] links, boolean[] peers, int rank) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            if (peers[i] && links[i] == null) {
                missing.add(i);
            }
        }
        return missing.toString();
    }

    /** Dials a higher rank until it answers the handshake or the set-up deadline passes. */
    private static PeerLink dial(int rank, int peer, String endpoint, byte[] key, long deadline, MeshOptions options,
            ScheduledExecutorService deadlines) throws IOException {
        int colon = endpoint.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(endpoint.substring(0, colon),
                Integer.parseInt(endpoint.substring(colon + 1)));
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            SocketChannel channel = SocketChannel.open();
            long budget = Math.max(1, Math.min(options.handshakeMillis(), deadline - System.currentTimeMillis()));
            ScheduledFuture<?> cutoff = deadlines.schedule(() -> Connections.close(channel, true), budget,
                    TimeUnit.MILLISECONDS);
            try {
                channel.socket().connect(address, (int) budget);
                PeerMesh.tune(channel);
                // a blocking channel ignores SO_TIMEOUT; its socket's streams honour it
                Socket socket = Connections.secure(channel, options.tls(), true, (int) budget);
                Handshake.connect(socket, key, rank, peer);
                if (!cutoff.cancel(false)) {
                    throw new IOException("the handshake with rank " + peer + " passed its " + budget + " ms deadline");
                }
                return Connections.link(rank, peer, channel, socket);
            } catch (IOException e) {
                cutoff.cancel(false);
                Connections.close(channel, true);
                last = e;
                sleep(20);
            }
        }
        throw new IOException("rank " + rank + " could not connect to rank " + peer + " at " + endpoint
                + " before the rendezvous timeout" + (last == null ? "" : ": " + last.getMessage()), last);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
