package org.omnispark.expertparallel.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mesh's listening ports as a range ({@code spark.omnispark.mesh.ports}), for firewalls and Kubernetes
 * NetworkPolicies: two ranks listen inside it, and a rank that finds every port of it taken fails at once, naming
 * the range.
 */
@Timeout(60)
class MeshPortRangeTest {

    private static final byte[] KEY = PeerMesh.attemptKey("port range job".getBytes(), 0);

    /** A run of {@code n} consecutive loopback ports that are free now. */
    private static int freeRun(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                first = probe.getLocalPort();
            }
            if (first + n > 65535) {
                continue;
            }
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int p = first; p < first + n; p++) {
                    held.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
                }
                return first;
            } catch (IOException taken) {
                // try another run
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }
        throw new IllegalStateException("no run of " + n + " free ports found");
    }

    @Test
    void twoRanksListenInsideTheRange() throws Exception {
        int first = freeRun(3);
        PortRange range = new PortRange(first, first + 2);
        String[] endpoints = new String[2];
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<CompletableFuture<PeerMesh>> ranks = new ArrayList<>();
        for (int rank = 0; rank < 2; rank++) {
            int r = rank;
            ranks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return PeerMesh.open(r, 2, "127.0.0.1", KEY, TwoRankGather.of(r, endpoints, barrier, null),
                            MeshOptions.of(20_000).withPorts(range));
                } catch (IOException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }));
        }
        for (CompletableFuture<PeerMesh> m : ranks) {
            m.get(30, TimeUnit.SECONDS).close();
        }
        List<Integer> ports = new ArrayList<>();
        for (String e : endpoints) {
            ports.add(Integer.parseInt(e.substring(e.lastIndexOf(':') + 1)));
        }
        assertTrue(ports.stream().allMatch(p -> p >= range.first() && p <= range.last()) && !ports.get(0).equals(
                ports.get(1)), "listening on " + ports + ", range " + range);
    }

    @Test
    void aTakenPortIsSkippedAndAnExhaustedRangeFailsNamingIt() throws Exception {
        int first = freeRun(2);
        try (ServerSocket taken = new ServerSocket(first, 1, InetAddress.getLoopbackAddress())) {
            try (var server = MeshConnector.listen(0, "127.0.0.1", new PortRange(first, first + 1))) {
                assertEquals(first + 1, ((InetSocketAddress) server.getLocalAddress()).getPort(), "the next free one");
                BindException e = assertThrows(BindException.class,
                        () -> MeshConnector.listen(3, "127.0.0.1", new PortRange(first, first + 1)));
                assertEquals("rank 3 found no free port in spark.omnispark.mesh.ports " + first + "-" + (first + 1)
                        + " on 127.0.0.1: all 2 are in use (by other ranks on this host, other jobs or other programs); "
                        + "widen the range to at least the ranks that run on one host at once, or free those ports",
                        e.getMessage());
                // through the mesh: the rank fails before the rendezvous, with the same message
                IOException mesh = assertThrows(IOException.class, () -> PeerMesh.open(0, 1, "127.0.0.1", KEY,
                        mine -> mine, MeshOptions.of(5_000).withPorts(new PortRange(first, first + 1))));
                assertTrue(mesh.getMessage().contains("found no free port in spark.omnispark.mesh.ports"),
                        mesh.getMessage());
            }
        }
    }

    @Test
    void theRangeIsParsedStrictly() {
        assertNull(PortRange.parse(null));
        assertNull(PortRange.parse(" "));
        assertEquals(new PortRange(40000, 40100), PortRange.parse(" 40000-40100 "));
        assertEquals(101, PortRange.parse("40000-40100").size());
        for (String bad : List.of("40000", "40000:40100", "a-b", "0-10", "100-99", "65535-70000")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortRange.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("spark.omnispark.mesh.ports must be"), e.getMessage());
        }
    }
}
