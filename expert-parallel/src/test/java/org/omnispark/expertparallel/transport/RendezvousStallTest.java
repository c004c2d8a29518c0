package org.omnispark.expertparallel.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strangers cannot stall the rendezvous: connections to a rank's listening port that stay silent, or that send the
 * public magic and then one byte every few seconds, are handshaken concurrently with the real rank's connection, each
 * under one absolute deadline, and a flood beyond the cap on pending handshakes is closed at once. Two real ranks
 * rendezvous while the strangers hang on to rank 1's port.
 */
@Timeout(90)
class RendezvousStallTest {

    private static final byte[] KEY = PeerMesh.attemptKey("stall job".getBytes(), 0);
    /** The mesh timeout; the handshake deadline of one connection is min(10 s, this). */
    private static final long TIMEOUT_MILLIS = 20_000;

    private final List<SocketChannel> strangers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void closeStrangers() throws IOException, InterruptedException {
        for (SocketChannel s : strangers) {
            s.close();
        }
        for (Thread t : threads) {
            t.interrupt();
            t.join(5000);
        }
    }

    /** Two ranks; rank 0 dials rank 1 only once {@code strangersIn} opens. */
    private static final class TwoRanks {
        final String[] endpoints = new String[2];
        final CyclicBarrier barrier = new CyclicBarrier(2);
        final CountDownLatch strangersIn = new CountDownLatch(1);
        final CompletableFuture<PeerMesh> rank1 = CompletableFuture.supplyAsync(() -> open(1, null));
        final CompletableFuture<PeerMesh> rank0 = CompletableFuture.supplyAsync(() -> open(0, strangersIn));

        private PeerMesh open(int rank, CountDownLatch holdBack) {
            try {
                return PeerMesh.open(rank, 2, "127.0.0.1", KEY, TIMEOUT_MILLIS,
                        TwoRankGather.of(rank, endpoints, barrier, holdBack));
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        InetSocketAddress rank1Address() throws InterruptedException {
            while (endpoints[1] == null) {
                Thread.sleep(10);
            }
            Thread.sleep(100); // rank 1 is in its accept loop
            return new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    Integer.parseInt(endpoints[1].substring(endpoints[1].lastIndexOf(':') + 1)));
        }

        /** Lets rank 0 dial and waits for both meshes; returns the seconds it took, failing past {@code bound}. */
        double formWithin(double boundSeconds) throws Exception {
            long begin = System.nanoTime();
            strangersIn.countDown();
            try (PeerMesh m0 = rank0.get((long) (boundSeconds * 1000), TimeUnit.MILLISECONDS);
                    PeerMesh m1 = rank1.get(Math.max(1, (long) (boundSeconds * 1000)
                            - (System.nanoTime() - begin) / 1_000_000), TimeUnit.MILLISECONDS)) {
                return (System.nanoTime() - begin) / 1e9;
            } catch (TimeoutException e) {
                throw new AssertionError("the mesh did not form within " + boundSeconds + " s of rank 0 dialling: "
                        + "the strangers on rank 1's port stalled the rendezvous", e);
            } catch (ExecutionException e) {
                throw new AssertionError("the mesh did not form: " + e.getCause().getMessage(), e);
            }
        }
    }

    /** A connection that is opened (without blocking on a full backlog) and then says nothing. */
    private SocketChannel idle(InetSocketAddress address) throws IOException {
        SocketChannel s = SocketChannel.open();
        s.configureBlocking(false);
        s.connect(address);
        strangers.add(s);
        return s;
    }

    /** Sends the public handshake magic, then one byte every {@code everyMillis}; records when the rank hung up. */
    private AtomicLong trickler(InetSocketAddress address, long everyMillis) {
        AtomicLong closedAt = new AtomicLong();
        Thread t = new Thread(() -> {
            try (Socket s = new Socket()) {
                s.connect(address, 30_000);
                OutputStream out = s.getOutputStream();
                out.write(ByteBuffer.allocate(4).putInt(Handshake.MAGIC).array());
                out.flush();
                InputStream in = s.getInputStream();
                s.setSoTimeout((int) everyMillis);
                while (true) {
                    try {
                        if (in.read() < 0) {
                            break; // the rank closed the connection
                        }
                    } catch (SocketTimeoutException quiet) {
                        out.write(0);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // reset or broken pipe: the rank closed it
            }
            closedAt.set(System.nanoTime());
        }, "trickler");
        t.setDaemon(true);
        t.start();
        threads.add(t);
        return closedAt;
    }

    /** True when the rank has closed (or refused) this stranger: EOF or reset within {@code waitMillis}. */
    private static boolean closedByRank(SocketChannel s, long waitMillis) throws IOException {
        long end = System.currentTimeMillis() + waitMillis;
        try {
            while (!s.finishConnect()) {
                if (System.currentTimeMillis() > end) {
                    return false; // still in the listen backlog: never accepted, never closed
                }
                sleep(10);
            }
            s.configureBlocking(true);
            s.socket().setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
            return s.socket().getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // refused or reset
        }
    }

    @Test
    void idleConnectionsAndATricklerDoNotDelayTheRealRank() throws Exception {
        TwoRanks ranks = new TwoRanks();
        InetSocketAddress rank1 = ranks.rank1Address();
        AtomicLong tricklerClosed = trickler(rank1, 2000); // first in line: the magic, then 1 byte every 2 s
        Thread.sleep(300);
        for (int i = 0; i < 40; i++) {
            idle(rank1);
        }
        Thread.sleep(300);
        double seconds = ranks.formWithin(4);
        assertTrue(seconds < 4, "formed in " + seconds + " s");
        // the rank keeps none of them: once the mesh has formed, every pending handshake is closed
        long closedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (SocketChannel s : strangers) {
            assertTrue(closedByRank(s, Math.max(1, (closedBy - System.nanoTime()) / 1_000_000)),
                    "rank 1 closed every idle stranger within 3 s of the mesh forming");
        }
        while (tricklerClosed.get() == 0 && System.nanoTime() < closedBy) {
            Thread.sleep(20);
        }
        assertTrue(tricklerClosed.get() != 0, "rank 1 closed the trickler within 3 s of the mesh forming");
    }

    @Test
    void aTricklerIsClosedAtItsAbsoluteHandshakeDeadline() throws Exception {
        TwoRanks ranks = new TwoRanks(); // rank 0 holds back: rank 1 keeps waiting and listening
        InetSocketAddress rank1 = ranks.rank1Address();
        long begin = System.nanoTime();
        AtomicLong closedAt = trickler(rank1, 1000); // each byte well within any per-read timeout
        long handshakeMillis = Math.min(10_000, TIMEOUT_MILLIS); // MeshOptions.of(TIMEOUT_MILLIS).handshakeMillis()
        long bound = handshakeMillis + 3000;
        while (closedAt.get() == 0 && System.nanoTime() - begin < TimeUnit.MILLISECONDS.toNanos(bound)) {
            Thread.sleep(50);
        }
        assertTrue(closedAt.get() != 0, "rank 1 still handshakes with a connection that sends a byte a second "
                + bound + " ms after it connected: the " + handshakeMillis + " ms deadline is per read, not absolute");
        double seconds = (closedAt.get() - begin) / 1e9;
        assertTrue(seconds > handshakeMillis / 1000.0 - 1, "closed at its deadline, not before: " + seconds + " s");
        ranks.formWithin(4); // and the real rank still gets in
    }

    @Test
    void aFloodBeyondThePendingCapIsClosedAtOnceAndTheMeshStillForms() throws Exception {
        TwoRanks ranks = new TwoRanks();
        InetSocketAddress rank1 = ranks.rank1Address();
        int flood = 2 * RendezvousStallTest.PENDING_CAP;
        for (int i = 0; i < flood; i++) {
            idle(rank1);
        }
        Thread.sleep(1000);
        int closed = 0;
        for (SocketChannel s : strangers) {
            if (closedByRank(s, 1)) {
                closed++;
            }
        }
        assertTrue(closed >= flood - PENDING_CAP, "of " + flood + " idle connections, at least "
                + (flood - PENDING_CAP) + " (those beyond the cap of " + PENDING_CAP + " pending handshakes) are "
                + "closed at once; closed: " + closed);
        // the real rank gets in at the latest when the strangers' handshake deadline (10 s) has passed
        double seconds = ranks.formWithin(10 + 4);
        assertTrue(seconds < 14, "formed in " + seconds + " s");
    }

    /** The default cap on pending handshakes per rank. */
    static final int PENDING_CAP = 64;

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
