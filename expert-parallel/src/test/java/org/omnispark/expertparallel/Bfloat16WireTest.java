package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.omnispark.expertparallel.transport.MeshOptions;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.expertparallel.transport.ProtocolException;
import org.omnispark.expertparallel.transport.TransportException;
import org.omnispark.expertparallel.transport.WireDtype;

/**
 * The collectives with {@code expert_parallel.wire_dtype: bfloat16}, over real loopback sockets and libtorch tensors:
 * the all-to-all delivers exactly the bfloat16-rounded rows; the all-reduce is within the derived bound of the
 * float32 sum and bit-identical on every rank (flat ring, gather-and-sum, and the grid's hierarchical one); the bytes
 * sent halve; ranks that disagree on the wire dtype fail with a ProtocolException naming the sender, the phase and
 * both dtypes.
 *
 * <p>The bound: a value sent is rounded to bfloat16 once, within 2^-8 of itself relatively (the unit roundoff u). In
 * the ring, chunk c's partial sum is rounded at each of the P - 1 hops of the reduce-scatter and the complete sum once
 * more by its owner; each float32 addition adds at most 2^-24. Every rounding's error is at most u times a partial
 * sum, itself at most the sum of the magnitudes added: {@code |result - exact| <= ((1 + 2^-8)^R (1 + 2^-24)^(P-1) - 1)
 * * sum_r |x_r|} with R = P roundings (R = P - 1 + D in a grid of D replica groups of P). The gather-and-sum path
 * rounds each term once and adds in float32, well inside the same bound.
 */
class Bfloat16WireTest {

    private static final long TIMEOUT = 30_000;

    private static MeshOptions bfloat16(int rank) {
        return MeshOptions.of(TIMEOUT).withWireDtype(WireDtype.BFLOAT16);
    }

    private static MeshProcessGroup world(PeerMesh mesh, CommunicationClock clock) {
        return new MeshProcessGroup(mesh, IntStream.range(0, mesh.size()).toArray(), "world", clock);
    }

    /** A value that bfloat16 does not represent (most are not), NaN for one element. */
    private static float value(int from, int to, int row, int column) {
        return from == 0 && to == 1 && row == 0 && column == 0 ? Float.NaN
                : (float) (3 * Math.sin(1 + 1000 * from + 100 * to + row + 0.1 * column));
    }

    /** Rank r sends (r + 1) * (s + 1) rows to rank s, itself included; every one arrives rounded, and only so. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void allToAllDeliversExactlyTheRoundedRows(int ranks) throws Exception {
        int d = 5;
        List<Object[]> results = InProcessRanks.runWithOptions(ranks, TIMEOUT, Bfloat16WireTest::bfloat16, mesh -> {
            int r = mesh.rank();
            long[] in = new long[ranks];
            long[] out = new long[ranks];
            List<Float> values = new ArrayList<>();
            for (int s = 0; s < ranks; s++) {
                in[s] = (r + 1L) * (s + 1);
                out[s] = (s + 1L) * (r + 1);
                for (int i = 0; i < in[s]; i++) {
                    for (int c = 0; c < d; c++) {
                        values.add(value(r, s, i, c));
                    }
                }
            }
            float[] flat = new float[values.size()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = values.get(i);
            }
            CommunicationClock clock = new CommunicationClock();
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray rows = m.create(flat, new Shape(flat.length / d, d));
                float[] got = world(mesh, clock).allToAll(rows, in, out, "test").toFloatArray();
                return new Object[] {got, clock.take().bytesSent()};
            }
        });
        for (int r = 0; r < ranks; r++) {
            float[] got = (float[]) results.get(r)[0];
            int k = 0;
            int changed = 0;
            long sentRows = 0;
            for (int s = 0; s < ranks; s++) {
                sentRows += s == r ? 0 : (r + 1L) * (s + 1);
                for (int i = 0; i < (s + 1) * (r + 1); i++) {
                    for (int c = 0; c < d; c++, k++) {
                        float sent = value(s, r, i, c);
                        assertEquals(Bfloat16.round(sent), got[k], "rank " + r + " row from " + s + " (" + sent + ")");
                        changed += Float.compare(sent, got[k]) != 0 ? 1 : 0;
                    }
                }
            }
            assertEquals(k, got.length);
            assertTrue(changed > k / 2, changed + " of " + k + " values changed on the wire: they travelled as bf16");
            assertEquals(sentRows * d * 2, (long) results.get(r)[1], "bytes sent by rank " + r + ": 2 per value");
        }
    }

    static double bound(int roundings, int additions) {
        return Math.pow(1 + 0x1p-8, roundings) * Math.pow(1 + 0x1p-24, additions) - 1;
    }

    /** Rank r's input to the all-reduce: element i of a seeded Gaussian stream, times a magnitude spread. */
    private static float[] input(int rank, int n) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(100 + rank);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, i % 7 - 3));
        }
        return values;
    }

    private static void assertWithinBoundAndSameBits(List<float[]> results, int ranks, int n, int roundings) {
        double[] exact = new double[n];
        double[] magnitude = new double[n];
        for (int r = 0; r < ranks; r++) {
            float[] x = input(r, n);
            for (int i = 0; i < n; i++) {
                exact[i] += x[i];
                magnitude[i] += Math.abs(x[i]);
            }
        }
        double gamma = bound(roundings, ranks - 1);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double error = Math.abs(results.get(0)[i] - exact[i]);
            assertTrue(error <= gamma * magnitude[i] + 1e-30, "element " + i + ": " + results.get(0)[i] + " vs "
                    + exact[i] + ", error " + error + " over the bound " + gamma * magnitude[i]);
            worst = Math.max(worst, error / magnitude[i]);
        }
        System.out.printf("%d ranks, %d roundings: worst error %.3g of the magnitudes summed, bound %.3g%n", ranks,
                roundings, worst, gamma);
        for (int r = 1; r < ranks; r++) {
            assertArrayEquals(results.get(0), results.get(r), "rank " + r + " differs from rank 0");
        }
    }

    @ParameterizedTest(name = "{0} ranks, ring {1}")
    @CsvSource({"2,true", "3,true", "4,true", "2,false", "4,false"})
    void allReduceIsWithinTheBoundAndTheSameBitsOnEveryRank(int ranks, boolean ring) throws Exception {
        int n = 1001; // uneven chunks
        List<float[]> results = InProcessRanks.runWithOptions(ranks, TIMEOUT, Bfloat16WireTest::bfloat16, mesh -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray array = m.create(input(mesh.rank(), n), new Shape(7, 143));
                long small = ring ? 0 : LatencyCollectives.MAX_SUM_BYTES;
                world(mesh, new CommunicationClock()).withSmallAllReduceBytes(small).allReduceSum(array, "test");
                return array.toFloatArray();
            }
        });
        assertWithinBoundAndSameBits(results, ranks, n, ranks);
        if (ring) { // every rank holds what travelled: bfloat16 values
            for (float v : results.get(0)) {
                assertEquals(Bfloat16.round(v), v);
            }
        }
    }

    /**
     * The grid's hierarchical all-reduce (4 ranks: expert-parallel groups of 2, replica groups of 2): the owner of
     * each chunk rounds its copy before the all-gather, so the four ranks agree bit for bit.
     */
    @Test
    void gridAllReduceIsTheSameBitsOnEveryRank() throws Exception {
        int n = 40_001; // over the 64 KiB gather-and-sum threshold: rings in both groups
        List<float[]> results = InProcessRanks.runWithOptions(4, TIMEOUT, Bfloat16WireTest::bfloat16, mesh -> {
            MeshParallelism parallelism = new MeshParallelism(mesh, 2, 2);
            assertTrue(((StagedProcessGroup) parallelism.world()).unstaged() instanceof GridProcessGroup);
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray array = m.create(input(mesh.rank(), n));
                parallelism.world().allReduceSum(array, "test");
                return array.toFloatArray();
            }
        });
        assertWithinBoundAndSameBits(results, 4, n, 2 - 1 + 2);
    }

    /**
     * The default float32 wire stays exact: the ring's result is, bit for bit, the float32 sum in ring order (chunk c
     * starts at member c and each member adds its own value), and the all-to-all delivers the rows' bits unchanged.
     */
    @Test
    void float32WireStaysExact() throws Exception {
        int ranks = 3;
        int n = 1001;
        List<float[][]> results = InProcessRanks.run(ranks, TIMEOUT, mesh -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                MeshProcessGroup world = world(mesh, new CommunicationClock()).withSmallAllReduceBytes(0);
                NDArray array = m.create(input(mesh.rank(), n));
                world.allReduceSum(array, "test");
                long[] splits = {2, 2, 2};
                float[] rows = input(10 + mesh.rank(), 6 * 4);
                float[] got = world.allToAll(m.create(rows, new Shape(6, 4)), splits, splits, "test").toFloatArray();
                return new float[][] {array.toFloatArray(), got};
            }
        });
        float[] expected = new float[n];
        for (int c = 0; c < ranks; c++) {
            for (int i = n * c / ranks; i < n * (c + 1) / ranks; i++) {
                float sum = input(c, n)[i];
                for (int k = 1; k < ranks; k++) {
                    sum += input((c + k) % ranks, n)[i];
                }
                expected[i] = sum;
            }
        }
        for (int r = 0; r < ranks; r++) {
            assertArrayEquals(expected, results.get(r)[0], "the all-reduce on rank " + r);
            for (int s = 0; s < ranks; s++) {
                float[] sent = input(10 + s, 6 * 4);
                float[] got = java.util.Arrays.copyOfRange(results.get(r)[1], 8 * s, 8 * s + 8);
                assertArrayEquals(java.util.Arrays.copyOfRange(sent, 8 * r, 8 * r + 8), got, "rows from " + s);
            }
        }
    }

    /**
     * The same all-to-all (256 rows of 64 values to each peer) and ring all-reduce (100,000 values) on a float32 and a
     * bfloat16 mesh: the payload bytes the clock records halve exactly, and the bytes written to the sockets (frame
     * headers and Arrow metadata included) halve to within a percent.
     */
    @Test
    void theBytesSentHalve() throws Exception {
        long[] float32 = bytesOfOneStep(WireDtype.FLOAT32);
        long[] bf16 = bytesOfOneStep(WireDtype.BFLOAT16);
        System.out.printf("bytes sent by rank 0: payload %d -> %d, socket %d -> %d%n", float32[0], bf16[0],
                float32[1], bf16[1]);
        // rank 0 of 3: 256 x 64 values to each of 2 peers; the ring's chunks 0, 2 (reduce-scatter), 1, 0 (all-gather)
        assertEquals(2 * 256 * 64 * 4 + 4 * (33_333 + 33_334 + 33_333 + 33_333), float32[0], "float32 payload");
        assertEquals(float32[0], 2 * bf16[0], "the payload halves");
        double ratio = (double) bf16[1] / float32[1];
        assertTrue(ratio > 0.5 && ratio < 0.505, "socket bytes bf16/float32 = " + ratio);
    }

    /** @return rank 0's payload bytes (its clock) and socket bytes (its mesh) for one all-to-all and all-reduce */
    private static long[] bytesOfOneStep(WireDtype wire) throws Exception {
        int ranks = 3;
        return InProcessRanks.runWithOptions(ranks, TIMEOUT, rank -> MeshOptions.of(TIMEOUT).withWireDtype(wire),
                mesh -> {
                    CommunicationClock clock = new CommunicationClock();
                    MeshProcessGroup world = world(mesh, clock).withSmallAllReduceBytes(0);
                    long[] splits = {256, 256, 256};
                    long before = mesh.bytesSent();
                    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                        world.allToAll(m.randomNormal(new Shape(3 * 256, 64)), splits, splits, "bytes test");
                        world.allReduceSum(m.randomNormal(new Shape(100_000)), "bytes test");
                    }
                    return new long[] {clock.take().bytesSent(), mesh.bytesSent() - before};
                }).get(0);
    }

    /** Rank 0 on a bfloat16 wire, rank 1 on float32: the receiver's error names the sender, phase and both dtypes. */
    @Test
    void ranksThatDisagreeOnTheWireDtypeFailWithAProtocolException() throws Exception {
        List<String> errors = InProcessRanks.runWithOptions(2, TIMEOUT,
                rank -> MeshOptions.of(TIMEOUT).withWireDtype(rank == 0 ? WireDtype.BFLOAT16 : WireDtype.FLOAT32),
                mesh -> {
                    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                        world(mesh, new CommunicationClock()).allToAll(m.ones(new Shape(4, 3)), new long[] {2, 2},
                                new long[] {2, 2}, "encoder.ffn1 dispatch");
                        return "no error";
                    } catch (TransportException e) {
                        return e.getCause() instanceof ProtocolException ? e.getCause().getMessage()
                                : "not a protocol error: " + e;
                    }
                });
        // each rank reads the other's header; one may instead see its connection reset by the first to fail
        int protocolErrors = 0;
        for (int r = 0; r < 2; r++) {
            String error = errors.get(r);
            assertTrue(!error.equals("no error"), "rank " + r + " accepted a frame of the other dtype");
            if (!error.startsWith("not a protocol error")) {
                protocolErrors++;
                String sent = r == 0 ? "float32" : "bfloat16";
                String expected = r == 0 ? "bfloat16" : "float32";
                assertTrue(error.contains("rank " + (1 - r) + " sent " + sent + " values in encoder.ffn1 dispatch")
                        && error.contains("this rank expects " + expected) && error.contains("wire_dtype"), error);
            }
        }
        assertTrue(protocolErrors >= 1, "no ProtocolException: " + errors);
    }
}
