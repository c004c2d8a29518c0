package org.omnispark.expertparallel.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exchange over mutual TLS 1.3, with key and trust stores made by the JDK's keytool: two ranks exchange frames
 * intact; a client speaking plain TCP, or TLS with a certificate the trust store does not hold, is refused even when it
 * knows the attempt's HMAC key, and the real rank still joins afterwards.
 */
@Timeout(120)
class MeshTlsTest {

    private static final byte[] KEY = PeerMesh.attemptKey("tls job".getBytes(), 0);
    private static final char[] PASSWORD = "changeit-test".toCharArray();

    @TempDir
    static Path dir;
    private static SSLContext job;
    private static SSLContext stranger;

    @BeforeAll
    static void makeStores() throws Exception {
        keytool("-genkeypair", "-alias", "ranks", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=omnispark-job", "-validity", "2", "-storetype", "PKCS12", "-keystore", "job.p12");
        keytool("-exportcert", "-alias", "ranks", "-keystore", "job.p12", "-file", "job.crt");
        keytool("-importcert", "-noprompt", "-alias", "ranks", "-file", "job.crt", "-storetype", "PKCS12",
                "-keystore", "trust.p12");
        keytool("-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=stranger", "-validity", "2", "-storetype", "PKCS12", "-keystore", "stranger.p12");
        job = MeshTls.context(dir.resolve("job.p12"), PASSWORD, dir.resolve("trust.p12"), PASSWORD);
        // the stranger trusts the job (so its own side of the handshake would pass) but holds another key
        stranger = MeshTls.context(dir.resolve("stranger.p12"), PASSWORD, dir.resolve("trust.p12"), PASSWORD);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", new String(PASSWORD)));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keypass", new String(PASSWORD)));
        }
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + args[0] + ": " + output);
    }

    @Test
    void twoRanksExchangeOverTlsAndStrangersAreRefused() throws Exception {
        String[] endpoints = new String[2];
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.CountDownLatch strangersDone = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<long[]> rank1 = CompletableFuture.supplyAsync(() -> run(1, endpoints, barrier, null));
        CompletableFuture<long[]> rank0 = CompletableFuture.supplyAsync(() -> run(0, endpoints, barrier,
                strangersDone));
        // rank 1 listens and waits for rank 0, which holds back until the strangers have tried
        while (endpoints[1] == null) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        int port = Integer.parseInt(endpoints[1].substring(endpoints[1].lastIndexOf(':') + 1));
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), port)) {
            plain.setSoTimeout(5000);
            assertThrows(IOException.class, () -> Handshake.connect(plain, KEY, 0, 1),
                    "plain TCP with the right HMAC key is refused by a TLS rank");
        }
        try (SSLSocket untrusted = (SSLSocket) stranger.getSocketFactory().createSocket(
                InetAddress.getLoopbackAddress(), port)) {
            untrusted.setSoTimeout(5000);
            untrusted.setEnabledProtocols(new String[] {"TLSv1.3"});
            assertThrows(IOException.class, () -> {
                untrusted.startHandshake();
                Handshake.connect(untrusted, KEY, 0, 1);
            }, "a certificate outside the trust store is refused");
        }
        strangersDone.countDown();
        assertEquals(List.of(1L, 1001L), List.of(rank0.get(60, TimeUnit.SECONDS)[0],
                rank0.get(60, TimeUnit.SECONDS)[1]), "rank 0 received rank 1's values");
        assertEquals(List.of(0L, 1000L), List.of(rank1.get(60, TimeUnit.SECONDS)[0],
                rank1.get(60, TimeUnit.SECONDS)[1]), "rank 1 received rank 0's values");
    }

    @Test
    void storePasswordsComeFromFilesNamedInTheTrainConfig() throws Exception {
        Files.writeString(dir.resolve("keystore.password"), new String(PASSWORD) + "\n");
        Files.writeString(dir.resolve("truststore.password"), new String(PASSWORD) + "\n");
        Path yaml = dir.resolve("train.yaml");
        Files.writeString(yaml, String.join("\n",
                "expert_parallel:",
                "  tls:",
                "    enabled: true",
                "    keystore: " + dir.resolve("job.p12"),
                "    truststore: " + dir.resolve("trust.p12"),
                "    keystore_password_file: " + dir.resolve("keystore.password"),
                "    truststore_password_file: " + dir.resolve("truststore.password"),
                ""));
        org.omnispark.trainer.config.TrainConfig.Tls tls =
                org.omnispark.trainer.config.TrainConfig.load(yaml, List.of()).expertParallel().tls();
        SSLContext fromFiles = MeshTls.fromFiles(tls.keystore(), tls.keystorePasswordFile(), tls.truststore(),
                tls.truststorePasswordFile());
        assertTrue(fromFiles.getProtocol().startsWith("TLS"), fromFiles.getProtocol());
        // a wrong password in the file: the error names the store and where its password comes from
        Files.writeString(dir.resolve("wrong.password"), "not-the-password\n");
        String wrong = assertThrows(IllegalArgumentException.class, () -> MeshTls.fromFiles(tls.keystore(),
                dir.resolve("wrong.password").toString(), tls.truststore(), tls.truststorePasswordFile()))
                .getMessage();
        assertTrue(wrong.contains("job.p12") && wrong.contains("keystore_password_file"), wrong);
        String missing = assertThrows(IllegalArgumentException.class, () -> MeshTls.fromFiles(tls.keystore(),
                dir.resolve("absent.password").toString(), tls.truststore(), tls.truststorePasswordFile()))
                .getMessage();
        assertTrue(missing.contains("absent.password"), missing);
    }

    @Test
    void aPeerThatStopsReadingMidFrameFailsTheSendInTimeAndCloseJoinsTheThreads() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<SSLSocket> fake = CompletableFuture.supplyAsync(() -> {
                try { // "rank 1": TLS and the HMAC challenge, then it never reads again
                    SSLSocket s = (SSLSocket) job.getSocketFactory().createSocket(server.accept(), "127.0.0.1",
                            server.getLocalPort(), true);
                    s.setUseClientMode(false);
                    s.setNeedClientAuth(true);
                    s.setEnabledProtocols(new String[] {"TLSv1.3"});
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    if (Handshake.accept(s, KEY, 1) != 0) {
                        throw new IllegalStateException("rank 0 failed the handshake");
                    }
                    return s;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            PeerMesh mesh = PeerMesh.open(0, 2, "127.0.0.1", KEY, 2000,
                    mine -> List.of(mine.get(0), "127.0.0.1:" + server.getLocalPort()), job);
            int rows = 8 << 20; // 64 MiB: far more than both sockets' buffers hold
            ByteBuffer out = ByteBuffer.allocateDirect(rows * 8).order(ByteOrder.LITTLE_ENDIAN);
            Frames.Expect frame = new Frames.Expect(Frames.LONGS, 0, rows, 1, "step 3 encoder.ffn1 combine");
            CompletableFuture<String> failure = new CompletableFuture<>();
            Thread sender = new Thread(() -> {
                try {
                    mesh.exchange(List.of(new PeerMesh.Transfer(1, frame, out)), List.of(),
                            "step 3 encoder.ffn1 combine");
                    failure.complete("the exchange succeeded");
                } catch (RuntimeException e) {
                    failure.complete(e.getMessage());
                }
            }, "test-exchange");
            sender.setDaemon(true);
            long begin = System.nanoTime();
            sender.start();
            String message;
            try {
                message = failure.get(2000 + 6000, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the exchange did not fail within its 2 s timeout + 6 s: closing the TLS "
                        + "socket blocked behind the sender stuck on a full buffer", e);
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            assertTrue(message.contains("rank 0 timed out after 2000 ms sending to rank 1")
                    && message.contains("step 3 encoder.ffn1 combine"), message);
            assertTrue(seconds < 5, "failed and closed in " + seconds + " s");
            long closeBegin = System.nanoTime();
            mesh.close();
            assertTrue((System.nanoTime() - closeBegin) / 1e9 < 1, "a second close returns at once");
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                assertTrue(!t.isAlive() || !(t.getName().equals("omnispark-rank0-send-1")
                        || t.getName().equals("omnispark-rank0-recv-1")),
                        "the link's threads were joined before the exchange failed: " + t.getName() + " is alive");
            }
            fake.get(10, TimeUnit.SECONDS).close();
        }
    }

    /** One rank: open the TLS mesh, send {rank, 1000 + rank}, return what the peer sent. */
    private static long[] run(int rank, String[] endpoints, java.util.concurrent.CyclicBarrier barrier,
            java.util.concurrent.CountDownLatch holdBack) {
        try (PeerMesh mesh = PeerMesh.open(rank, 2, "127.0.0.1", KEY, 30_000,
                TwoRankGather.of(rank, endpoints, barrier, holdBack), job)) {
            int rows = 1 << 16; // 1 MiB: many TLS records and partial reads
            ByteBuffer out = ByteBuffer.allocateDirect(rows * 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < rows; i++) {
                out.putLong(16 * i, rank + 7L * i).putLong(16 * i + 8, 1000 + rank + 7L * i);
            }
            ByteBuffer in = ByteBuffer.allocateDirect(rows * 16).order(ByteOrder.LITTLE_ENDIAN);
            Frames.Expect frame = new Frames.Expect(Frames.LONGS, 0, rows, 2, "tls test exchange");
            int peer = 1 - rank;
            mesh.exchange(List.of(new PeerMesh.Transfer(peer, frame, out)),
                    List.of(new PeerMesh.Transfer(peer, frame, in)), "tls test exchange");
            for (int i = 0; i < rows; i++) {
                long from = 1 - rank;
                if (in.getLong(16 * i) != from + 7L * i || in.getLong(16 * i + 8) != 1000 + from + 7L * i) {
                    throw new IllegalStateException("row " + i + " arrived damaged");
                }
            }
            return new long[] {in.getLong(0), in.getLong(8)};
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
