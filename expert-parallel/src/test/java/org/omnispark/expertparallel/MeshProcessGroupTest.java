package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The collectives over real loopback sockets, against values computed by hand. */
class MeshProcessGroupTest {

    private static MeshProcessGroup world(org.omnispark.expertparallel.transport.PeerMesh mesh) {
        return new MeshProcessGroup(mesh, IntStream.range(0, mesh.size()).toArray(), "world",
                new CommunicationClock());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allGatherConcatenatesInRankOrder(int ranks) throws Exception {
        List<long[]> results = InProcessRanks.run(ranks, 20_000, mesh -> world(mesh).allGather(
                new long[] {mesh.rank(), 10L * mesh.rank()}, "test"));
        long[] expected = new long[2 * ranks];
        for (int r = 0; r < ranks; r++) {
            expected[2 * r] = r;
            expected[2 * r + 1] = 10L * r;
        }
        for (long[] result : results) {
            assertArrayEquals(expected, result);
        }
    }

    /** Rank r sends (r + 1) * (s + 1) - 1 rows to rank s (zero rows from rank 0 to rank 0), row values encode both. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allToAllDeliversEveryRowToItsRank(int ranks) throws Exception {
        int d = 3;
        List<float[]> results = InProcessRanks.run(ranks, 20_000, mesh -> {
            int r = mesh.rank();
            long[] in = new long[ranks];
            long[] out = new long[ranks];
            for (int s = 0; s < ranks; s++) {
                in[s] = (r + 1L) * (s + 1) - 1;
                out[s] = (s + 1L) * (r + 1) - 1;
            }
            int total = (int) java.util.Arrays.stream(in).sum();
            float[] values = new float[total * d];
            int row = 0;
            for (int s = 0; s < ranks; s++) {
                for (int i = 0; i < in[s]; i++, row++) {
                    for (int c = 0; c < d; c++) {
                        values[row * d + c] = 1000 * r + 100 * s + i + 0.25f * c;
                    }
                }
            }
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray rows = m.create(values, new Shape(total, d));
                return world(mesh).allToAll(rows, in, out, "test").toFloatArray();
            }
        });
        for (int r = 0; r < ranks; r++) {
            float[] got = results.get(r);
            int row = 0;
            for (int s = 0; s < ranks; s++) {
                for (int i = 0; i < (s + 1) * (r + 1) - 1; i++, row++) {
                    for (int c = 0; c < d; c++) {
                        assertEquals(1000 * s + 100 * r + i + 0.25f * c, got[row * d + c], "rank " + r + " row " + row);
                    }
                }
            }
            assertEquals(row * d, got.length);
        }
    }

    /**
     * Both all-reduce paths: the ring (forced for this small buffer) and, for buffers up to {@link
     * LatencyCollectives#MAX_SUM_BYTES}, the gather and sum in rank order.
     */
    @ParameterizedTest(name = "{0} ranks, ring {1}")
    @CsvSource({"1,true", "2,true", "3,true", "4,true", "2,false", "3,false", "4,false"})
    void allReduceSumsAndEveryRankHasTheSameBits(int ranks, boolean ring) throws Exception {
        int n = 1001; // not a multiple of any rank count: uneven chunks
        List<float[]> results = InProcessRanks.run(ranks, 20_000, mesh -> {
            float[] values = new float[n];
            java.util.SplittableRandom random = new java.util.SplittableRandom(mesh.rank());
            for (int i = 0; i < n; i++) {
                values[i] = (float) random.nextGaussian();
            }
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray array = m.create(values, new Shape(7, 143));
                world(mesh).withSmallAllReduceBytes(ring ? 0 : LatencyCollectives.MAX_SUM_BYTES).allReduceSum(array, "test");
                return array.toFloatArray();
            }
        });
        double[] expected = new double[n];
        for (int r = 0; r < ranks; r++) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(r);
            for (int i = 0; i < n; i++) {
                expected[i] += (float) random.nextGaussian();
            }
        }
        for (int r = 0; r < ranks; r++) {
            for (int i = 0; i < n; i++) {
                assertEquals(expected[i], results.get(r)[i], 1e-5, "element " + i + " on rank " + r);
            }
            assertArrayEquals(results.get(0), results.get(r), "rank " + r + " differs from rank 0");
        }
    }
}
