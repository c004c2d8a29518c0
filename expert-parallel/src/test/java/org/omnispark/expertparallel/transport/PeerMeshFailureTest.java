package org.omnispark.expertparallel.transport;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No input and no peer can hang a rank: every wait ends within the timeout with a message that names this rank, the
 * peer and the phase; a peer that is not part of the job, or sends something that is not the expected frame, is
 * refused without allocating from the lengths it sent. Rank 0 is a real mesh; "rank 1" is a hand-written peer.
 */
@Timeout(60)
class PeerMeshFailureTest {

    private static final byte[] KEY = PeerMesh.attemptKey("job secret".getBytes(), 0);

    /** Rank 0 of 2 whose rendezvous names a fake rank 1 listening at {@code fake}; returns the open mesh. */
    private static PeerMesh openAgainst(ServerSocket fake, long timeoutMillis) throws IOException {
        return PeerMesh.open(0, 2, "127.0.0.1", KEY, timeoutMillis,
                mine -> List.of(mine.get(0), "127.0.0.1:" + fake.getLocalPort()));
    }

    /** Accepts rank 0's connection on {@code server}, answers its hello, then runs {@code after}. */
    private static CompletableFuture<Void> fakeRank1(ServerSocket server, Consumer<Socket> after) {
        return CompletableFuture.runAsync(() -> {
            try {
                Socket s = server.accept();
                if (Handshake.accept(s, KEY, 1) != 0) {
                    throw new IllegalStateException("rank 0 failed the handshake");
                }
                after.accept(s);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String exchangeFailure(PeerMesh mesh) {
        ByteBuffer out = ByteBuffer.allocateDirect(8);
        ByteBuffer in = ByteBuffer.allocateDirect(8);
        Frames.Expect frame = new Frames.Expect(Frames.LONGS, 0, 1, 1, "step 7 encoder.ffn3 dispatch");
        return assertThrows(TransportException.class, () -> mesh.exchange(List.of(new PeerMesh.Transfer(1, frame, out)),
                List.of(new PeerMesh.Transfer(1, frame, in)), "step 7 encoder.ffn3 dispatch")).getMessage();
    }

    @Test
    void aRankThatNeverArrivesAtRendezvousTimesOutInsteadOfWaitingForSpark() {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        long begin = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> PeerMesh.open(0, 2, "127.0.0.1", KEY, 1500, mine -> {
            try {
                never.await(); // BarrierTaskContext.allGather while rank 1 never calls it
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }));
        double seconds = (System.nanoTime() - begin) / 1e9;
        assertTrue(seconds >= 1.4 && seconds < 5,
                "after the 1.5 s timeout, not spark.barrier.sync.timeout: " + seconds);
        assertTrue(e.getMessage().contains("rank 0 of 2 waited 1500 ms at rendezvous"), e.getMessage());
    }

    @Test
    void connectionsCarryKernelHeartbeatsSoADeadHostIsSeenInSeconds() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(
                        new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))) {
            PeerMesh.tune(channel);
            assertTrue(channel.getOption(java.net.StandardSocketOptions.SO_KEEPALIVE));
            if (channel.supportedOptions().contains(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE)) {
                int idle = channel.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE);
                int interval = channel.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL);
                int probes = channel.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT);
                assertTrue(idle + interval * probes <= 10, "a silent dead host is detected within "
                        + (idle + interval * probes) + " s");
            }
        }
    }

    @Test
    void aPeerThatStopsAnsweringTimesOutNamingItAndThePhase() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = fakeRank1(server, s -> sleep(10_000)); // connected, then silent
            try (PeerMesh mesh = openAgainst(server, 1500)) {
                long begin = System.nanoTime();
                String message = exchangeFailure(mesh);
                assertTrue((System.nanoTime() - begin) / 1e9 < 5, "seen within seconds");
                assertTrue(message.contains("rank 0 timed out") && message.contains("rank 1")
                        && message.contains("step 7 encoder.ffn3 dispatch"), message);
            }
            peer.cancel(true);
        }
    }

    @Test
    void aPeerThatClosesMidMessageIsSeenAtOnce() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            fakeRank1(server, s -> {
                try {
                    s.getOutputStream().write(new byte[] {0x4F, 0x53, 0x50}); // 3 bytes of a 32-byte header
                    s.close();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (PeerMesh mesh = openAgainst(server, 30_000)) {
                String message = exchangeFailure(mesh);
                assertTrue(message.contains("closed by the peer") || message.contains("Connection reset")
                        || message.contains("Broken pipe"), message);
                assertTrue(message.contains("rank 1") && message.contains("step 7"), message);
            }
        }
    }

    @Test
    void garbageAndOversizedLengthsAreRefusedWithoutAllocating() throws Exception {
        byte[][] attacks = {
            random(64),                                                     // random bytes
            header(Frames.LONGS, 0, 1, 1, -1, 0x7FFFFFF0),                  // huge Arrow metadata length
            header(Frames.LONGS, 0, 1L << 40, 1, 0, 0),                    // a split of 2^40 rows
            header(Frames.LONGS, 99, 1, 1, 0, 0),                          // another collective
        };
        for (byte[] attack : attacks) {
            try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
                fakeRank1(server, s -> {
                    try {
                        s.getOutputStream().write(attack);
                        s.getOutputStream().flush();
                        sleep(2000);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (PeerMesh mesh = openAgainst(server, 30_000)) {
                    String message = exchangeFailure(mesh);
                    assertTrue(message.contains("receiving from rank 1") && message.contains("ProtocolException"),
                            message);
                }
            }
        }
    }

    @Test
    void aStrangerOrAnotherAttemptCannotJoinTheMesh() throws Exception {
        // rank 1 of 2 waits for rank 0; a stranger and a connection with another attempt's token come first
        CompletableFuture<PeerMesh> rank1 = new CompletableFuture<>();
        int[] port = new int[1];
        Thread t = new Thread(() -> {
            try {
                rank1.complete(PeerMesh.open(1, 2, "127.0.0.1", KEY, 2000, mine -> {
                    port[0] = Integer.parseInt(mine.get(0).split(":")[1]);
                    return List.of("127.0.0.1:1", mine.get(0));
                }));
            } catch (Exception e) {
                rank1.completeExceptionally(e);
            }
        });
        t.start();
        while (port[0] == 0) {
            Thread.sleep(10);
        }
        // a stranger's bytes, a claim to be rank 5, and rank 0 of ANOTHER attempt (its key): all dropped
        for (byte[] hello : new byte[][] {random(40), hello(5, 1), hello(0, 1)}) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port[0])) {
                s.setSoTimeout(3000);
                s.getOutputStream().write(hello);
                assertTrue(dropped(s), "the mesh dropped the connection");
            }
        }
        String wrongKey = assertThrows(IOException.class, () -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port[0])) {
                s.setSoTimeout(3000);
                Handshake.connect(s, PeerMesh.attemptKey("job secret".getBytes(), 1), 0, 1);
            }
        }).getMessage();
        assertTrue(wrongKey.contains("wrong key"), "a peer with another attempt's key is not trusted: " + wrongKey);
        Exception e = assertThrows(Exception.class, () -> rank1.get(10, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("rank 1 waited") && e.getMessage().contains("missing: [0]"),
                e.getMessage());
    }

    /** Answers a challenge with a wrong proof if one comes; true when the mesh then closes or resets. */
    private static boolean dropped(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            byte[] answer = in.readNBytes(48);
            if (answer.length == 48) { // the acceptor answered the challenge: a proof made with another key
                s.getOutputStream().write(new byte[32]);
            }
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset: closed with our bytes unread
        }
    }

    private static byte[] hello(int from, int to) {
        return ByteBuffer.allocate(28).putInt(Handshake.MAGIC).putInt(from).putInt(to).put(random(16)).array();
    }

    private static byte[] header(int kind, long sequence, long rows, int columns, int continuation, int length) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(Frames.MAGIC).putShort((short) kind).putShort((short) WireDtype.INT64.code()).putLong(sequence)
                .putLong(rows).putInt(columns)
                .putInt("step 7 encoder.ffn3 dispatch".hashCode()).putInt(continuation).putInt(length);
        return b.array();
    }

    private static byte[] random(int n) {
        byte[] bytes = new byte[n];
        new java.util.Random(n).nextBytes(bytes);
        return bytes;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
