package org.omnispark.expertparallel.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS is bound to the job: a certificate signed by the same CA as the job's (so it passes the trust store) but not
 * the job's is refused. The attack it stops: a relay that terminates TLS on both sides with such a certificate and
 * passes the HMAC challenge through unchanged would otherwise read the whole exchange in the clear, since the challenge
 * alone does not know which TLS connection it runs in. The challenge now covers both certificates' SHA-256.
 */
@Timeout(120)
class TlsJobBindingTest {

    private static final byte[] KEY = PeerMesh.attemptKey("bound job".getBytes(), 0);
    private static final char[] PASSWORD = "changeit-test".toCharArray();

    @TempDir
    static Path dir;
    private static SSLContext job;
    private static SSLContext sameCa;

    @BeforeAll
    static void makeStores() throws Exception {
        Keytool keytool = new Keytool(dir, PASSWORD);
        keytool.run("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test-ca",
                "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", "ca.p12");
        keytool.run("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.crt");
        keytool.run("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt", "-storetype", "PKCS12",
                "-keystore", "trust.p12");
        for (String name : new String[] {"job", "other"}) {
            keytool.run("-genkeypair", "-alias", "rank", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                    "CN=" + name, "-validity", "2", "-storetype", "PKCS12", "-keystore", name + ".p12");
            keytool.run("-certreq", "-alias", "rank", "-keystore", name + ".p12", "-file", name + ".csr");
            keytool.run("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-infile", name + ".csr",
                    "-outfile", name + ".crt");
            keytool.run("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt", "-keystore", name + ".p12");
            keytool.run("-importcert", "-noprompt", "-alias", "rank", "-file", name + ".crt", "-keystore",
                    name + ".p12");
        }
        job = MeshTls.context(dir.resolve("job.p12"), PASSWORD, dir.resolve("trust.p12"), PASSWORD);
        sameCa = MeshTls.context(dir.resolve("other.p12"), PASSWORD, dir.resolve("trust.p12"), PASSWORD);
    }

    /** Opens ranks 0 and 1; rank 0 is told rank 1 is at {@code rank1Seen} (a relay) when given. */
    private static List<CompletableFuture<PeerMesh>> open(long timeoutMillis, int[] rank1Port, Integer rank1Seen) {
        String[] endpoints = new String[2];
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<CompletableFuture<PeerMesh>> ranks = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int rank = r;
            ranks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return PeerMesh.open(rank, 2, "127.0.0.1", KEY, timeoutMillis, mine -> {
                        endpoints[rank] = mine.get(0);
                        try {
                            barrier.await(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        rank1Port[0] = port(endpoints[1]);
                        return rank == 0 && rank1Seen != null
                                ? List.of(endpoints[0], "127.0.0.1:" + rank1Seen) : List.of(endpoints);
                    }, job);
                } catch (IOException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }));
        }
        return ranks;
    }

    private static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    @Test
    void ranksWithTheJobsCaSignedCertificateFormTheMesh() throws Exception {
        List<CompletableFuture<PeerMesh>> ranks = open(20_000, new int[1], null);
        try (PeerMesh m0 = ranks.get(0).get(30, TimeUnit.SECONDS);
                PeerMesh m1 = ranks.get(1).get(30, TimeUnit.SECONDS)) {
            assertEquals(1, m1.rank());
        }
    }

    @Test
    void aRelayWithACertificateFromTheSameCaButNotTheJobsIsRefused() throws Exception {
        AtomicInteger relayedHandshakes = new AtomicInteger();
        int[] rank1Port = new int[1];
        try (ServerSocket relay = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread relayThread = new Thread(() -> relay(relay, rank1Port, relayedHandshakes), "relay");
            relayThread.setDaemon(true);
            relayThread.start();
            List<CompletableFuture<PeerMesh>> ranks = open(5000, rank1Port, relay.getLocalPort());
            List<String> failures = new ArrayList<>();
            for (CompletableFuture<PeerMesh> rank : ranks) {
                try {
                    rank.get(30, TimeUnit.SECONDS).close();
                } catch (ExecutionException e) {
                    failures.add(e.getCause().getMessage());
                }
            }
            assertTrue(relayedHandshakes.get() > 0, "the relay's certificate passed TLS on both sides (same CA)");
            assertEquals(2, failures.size(), "the mesh formed through a relay holding a certificate from the job's CA"
                    + " that is not the job's: it reads every frame in the clear; failures: " + failures);
            assertTrue(failures.get(0).contains("could not connect to rank 1"), failures.get(0));
            assertTrue(failures.get(1).contains("rank 1 waited") && failures.get(1).contains("missing: [0]"),
                    failures.get(1));
        }
    }

    /** Terminates TLS from rank 0 and to rank 1 with the same-CA certificate, and copies bytes both ways. */
    private static void relay(ServerSocket relay, int[] rank1Port, AtomicInteger handshakes) {
        while (!relay.isClosed()) {
            try {
                Socket accepted = relay.accept();
                Thread t = new Thread(() -> {
                    try (SSLSocket fromRank0 = (SSLSocket) sameCa.getSocketFactory().createSocket(accepted,
                            "127.0.0.1", accepted.getPort(), true);
                            SSLSocket toRank1 = (SSLSocket) sameCa.getSocketFactory().createSocket(
                                    InetAddress.getLoopbackAddress(), rank1Port[0])) {
                        fromRank0.setUseClientMode(false);
                        fromRank0.setNeedClientAuth(true);
                        fromRank0.setEnabledProtocols(new String[] {"TLSv1.3"});
                        toRank1.setEnabledProtocols(new String[] {"TLSv1.3"});
                        fromRank0.startHandshake();
                        toRank1.startHandshake();
                        handshakes.incrementAndGet();
                        Thread back = new Thread(() -> copy(toRank1, fromRank0), "relay-back");
                        back.setDaemon(true);
                        back.start();
                        copy(fromRank0, toRank1);
                        back.join(10_000);
                    } catch (IOException | InterruptedException e) {
                        // a side hung up
                    }
                }, "relay-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // a side hung up
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // closed
            }
        }
    }
}
