package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.expertparallel.transport.TransportException;

/**
 * The pipelined ring all-reduce over real loopback sockets: against sums computed by hand (integer-valued floats, so
 * every order of addition gives the exact sum), and bit for bit against the ring that moves a whole step at a time,
 * with pieces of 1 float up to more than a chunk, pieces that do not divide the chunks, chunks of different lengths,
 * fewer elements than members (empty pieces), and the hook a hierarchical all-reduce runs between the two halves.
 */
class PipelinedRingAllReduceTest {

    private static MeshProcessGroup world(PeerMesh mesh, long pieceFloats) {
        return new MeshProcessGroup(mesh, IntStream.range(0, mesh.size()).toArray(), "world", new CommunicationClock())
                .withSmallAllReduceBytes(0).withPieceFloats(pieceFloats);
    }

    private static float[] values(int rank, int n, boolean integers) {
        SplittableRandom random = new SplittableRandom(1000 + rank);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = integers ? random.nextInt(-1000, 1000) : (float) random.nextGaussian();
        }
        return values;
    }

    /** Each rank's result of summing its {@link #values}, the complete chunk doubled in between if asked. */
    private static List<float[]> allReduce(int ranks, int n, long pieceFloats, boolean integers, boolean doubleBetween)
            throws Exception {
        return InProcessRanks.run(ranks, 20_000, mesh -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray array = m.create(values(mesh.rank(), n, integers), new Shape(n));
                MeshProcessGroup group = world(mesh, pieceFloats);
                if (doubleBetween) {
                    group.allReduceSum(array, "test", chunk -> chunk.muli(2));
                } else {
                    group.allReduceSum(array, "test");
                }
                return array.toFloatArray();
            }
        });
    }

    @ParameterizedTest(name = "{0} ranks, {1} floats, pieces of {2}")
    @CsvSource({"2,1001,64", "2,1001,1", "3,1001,7", "4,1001,3", "4,3,1", "3,2,5", "2,1,1", "4,100,1000"})
    void sumsExactlyWhatIsComputedByHand(int ranks, int n, long pieceFloats) throws Exception {
        List<float[]> results = allReduce(ranks, n, pieceFloats, true, false);
        float[] expected = new float[n];
        for (int r = 0; r < ranks; r++) {
            float[] v = values(r, n, true);
            for (int i = 0; i < n; i++) {
                expected[i] += v[i];
            }
        }
        for (int r = 0; r < ranks; r++) {
            assertArrayEquals(expected, results.get(r), "rank " + r);
        }
    }

    @ParameterizedTest(name = "{0} ranks, {1} floats, pieces of {2}, hook {3}")
    @CsvSource({"2,1001,64,false", "3,1001,10,false", "4,999,1,false", "4,5,2,false", "2,1001,64,true",
        "3,1001,10,true", "4,37,3,true", "3,2,1,true"})
    void hasTheBitsOfTheRingThatMovesAStepAtATime(int ranks, int n, long pieceFloats, boolean hook) throws Exception {
        List<float[]> pipelined = allReduce(ranks, n, pieceFloats, false, hook);
        List<float[]> stepwise = allReduce(ranks, n, 0, false, hook);
        for (int r = 0; r < ranks; r++) {
            assertArrayEquals(stepwise.get(r), pipelined.get(r), "rank " + r + " differs from the stepwise ring");
            assertArrayEquals(pipelined.get(0), pipelined.get(r), "rank " + r + " differs from rank 0");
        }
        if (hook) { // the hook ran once per element, between the halves: twice the plain sum
            List<float[]> plain = allReduce(ranks, n, pieceFloats, false, false);
            for (int i = 0; i < n; i++) {
                assertEquals(2 * plain.get(0)[i], pipelined.get(0)[i], 0f, "element " + i);
            }
        }
    }

    @Test
    void sendsTheRingsBytesInOneFramePerPiece() throws Exception {
        int ranks = 3;
        int n = 999; // chunks of 333 floats: 5 pieces of 70 (the last 53) per ring step
        PipelinedRingAllReduce ring = new PipelinedRingAllReduce(ranks, 0, 70, 2);
        assertEquals(2 * (ranks - 1) * 5, ring.units(n));
        List<long[]> sent = InProcessRanks.run(ranks, 20_000, mesh -> {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray array = m.create(values(mesh.rank(), n, true), new Shape(n));
                long before = mesh.bytesSent();
                CommunicationClock clock = new CommunicationClock();
                new MeshProcessGroup(mesh, new int[] {0, 1, 2}, "world", clock).withSmallAllReduceBytes(0)
                        .withPieceFloats(70).allReduceSum(array, "test");
                return new long[] {mesh.bytesSent() - before};
            }
        });
        long payload = 2L * (ranks - 1) * 333 * 4; // 2(P-1)/P of the buffer, each way
        for (int r = 0; r < ranks; r++) {
            long overhead = sent.get(r)[0] - payload; // headers and metadata of 20 frames
            assertTrue(overhead > 0 && overhead < 20 * 512, "rank " + r + " sent " + sent.get(r)[0] + " bytes");
        }
    }

    @Test
    void theMeshsRingPieceOptionSelectsThePipelinedRing() throws Exception {
        int n = 4096; // 4 pieces of 512 floats per chunk at 2 ranks: 8 frames each way, against 2 a step at a time
        List<long[]> frames = InProcessRanks.runWithOptions(2, 20_000,
                rank -> org.omnispark.expertparallel.transport.MeshOptions.of(20_000).withRingPieceBytes(2048),
                mesh -> {
                    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                        NDArray array = m.create(values(mesh.rank(), n, true), new Shape(n));
                        MeshProcessGroup group = new MeshProcessGroup(mesh, new int[] {0, 1}, "world",
                                new CommunicationClock()).withSmallAllReduceBytes(0);
                        long before = mesh.bytesSent();
                        group.allReduceSum(array, "test");
                        long pieces = mesh.bytesSent() - before;
                        before = mesh.bytesSent();
                        group.withPieceFloats(0).allReduceSum(array, "test");
                        return new long[] {pieces - n * 4, mesh.bytesSent() - before - n * 4};
                    }
                });
        // the same payload; the framing of 8 frames is 4x the framing of 2
        assertEquals(4 * frames.get(0)[1], frames.get(0)[0], "framing bytes, pieces vs a step at a time");
    }

    @Test
    void aRankThatNeverJoinsFailsItsPeersNamingThePiece() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InProcessRanks.run(2, 2_000,
                mesh -> {
                    if (mesh.rank() == 1) {
                        Thread.sleep(3_000); // past rank 0's timeout, then leaves without taking part
                        return null;
                    }
                    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                        NDArray array = m.create(new float[4096]);
                        world(mesh, 256).allReduceSum(array, "gradients");
                        return null;
                    }
                }));
        Throwable cause = e.getCause();
        assertTrue(cause instanceof TransportException, String.valueOf(cause));
        assertTrue(cause.getMessage().contains("rank 0 timed out after 2000 ms receiving from rank 1 in gradients "
                + "reduce-scatter 0 piece 0/8"), cause.getMessage());
    }
}
