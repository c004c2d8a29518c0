package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnispark.trainer.nn.HostSyncs;

/**
 * The host staging on the CPU ({@link HostStaging#copying()}: every tensor copied through the reused host buffers,
 * the code a GPU rank runs) over real sockets on 127.0.0.1: the all-to-all and the all-reduce (small: gathered; large:
 * the ring; over a grid world: hierarchical) give the unstaged groups' results bit for bit; every staged exchange is
 * one named host sync; the buffers are reused, not reallocated, for exchanges of the same size; the time shows up in
 * the clock's staging bucket.
 */
class HostStagingTest {

    private static final int D = 5;
    private static final int BIG = 100_003; // above LatencyCollectives.MAX_SUM_BYTES (the ring) and the first buffer

    private record Seen(float[] received, float[] small, float[] big, float[] buckets, long syncs, long buffersBefore,
            long buffersAfter, long stagingNanos, boolean onCpu) {}

    private static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4))); // magnitudes apart: order matters
        }
        return v;
    }

    /** Rows rank r sends rank q: (r + 2q) % 4, zero included. */
    private static long rows(int from, int to) {
        return (from + 2L * to) % 4;
    }

    private static Seen exchange(MeshParallelism parallelism, boolean staged) {
        int rank = parallelism.mesh().rank();
        int n = parallelism.mesh().size();
        long[] in = new long[n];
        long[] out = new long[n];
        long sent = 0;
        for (int q = 0; q < n; q++) {
            in[q] = rows(rank, q);
            out[q] = rows(q, rank);
            sent += in[q];
        }
        HostSyncs.take();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray rows = m.create(random(rank, (int) sent * D), new Shape(sent, D));
            boolean expertParallelWorld = parallelism.placement(4).expertParallelSize() == n;
            float[] received = new float[0];
            boolean onCpu = true;
            if (expertParallelWorld) { // a grid world refuses all-to-all: tokens travel inside an expert group
                NDArray result = parallelism.world().allToAll(rows, in, out, "rows");
                received = result.toFloatArray();
                onCpu = result.getDevice().equals(Device.cpu()) && result.getManager() == m;
            }
            NDArray small = m.create(random(100 + rank, 7));
            parallelism.world().allReduceSum(small, "small");
            NDArray big = m.create(random(200 + rank, BIG));
            parallelism.world().allReduceSum(big, "big");
            long before = parallelism.staging().bufferFloats();
            NDArray again = m.create(random(300 + rank, BIG));
            parallelism.world().allReduceSum(again, "big again");
            long after = parallelism.staging().bufferFloats();
            // buckets as GradientSync hands them over: ring, small, empty, ring; two buffers in turn when staged
            List<NDArray> buckets = List.of(m.create(random(400 + rank, 30_011)), m.create(random(500 + rank, 5)),
                    m.create(new float[0]), m.create(random(600 + rank, 70_001)));
            parallelism.world().allReduceSum(buckets, List.of("b0", "b1", "b2", "b3"));
            float[] bucketValues = new float[30_011 + 5 + 70_001];
            int at = 0;
            for (NDArray b : buckets) {
                float[] v = b.toFloatArray();
                System.arraycopy(v, 0, bucketValues, at, v.length);
                at += v.length;
            }
            long syncs = HostSyncs.take().get(HostSyncs.Kind.EXCHANGE_STAGING);
            long stagingNanos = parallelism.takeCommunicationTimes().stagingNanos();
            return new Seen(received, small.toFloatArray(), big.toFloatArray(), bucketValues, syncs, before, after,
                    stagingNanos, onCpu);
        }
    }

    @ParameterizedTest
    @CsvSource({"2,0", "4,0", "4,2", "4,1"})
    void stagedCollectivesGiveTheUnstagedBits(int ranks, int expertParallelSize) throws Exception {
        List<Seen> plain = InProcessRanks.run(ranks, 30_000,
                r -> MeshParallelism.peers(4, ranks, r, expertParallelSize),
                mesh -> exchange(new MeshParallelism(mesh, 4, expertParallelSize), false));
        List<Seen> staged = InProcessRanks.run(ranks, 30_000,
                r -> MeshParallelism.peers(4, ranks, r, expertParallelSize), mesh -> {
                    try (HostStaging staging = HostStaging.copying()) {
                        return exchange(new MeshParallelism(mesh, 4, expertParallelSize, staging), true);
                    }
                });
        for (int r = 0; r < ranks; r++) {
            Seen p = plain.get(r);
            Seen s = staged.get(r);
            assertArrayEquals(p.received(), s.received(), "all-to-all on rank " + r);
            assertArrayEquals(p.small(), s.small(), "small all-reduce on rank " + r);
            assertArrayEquals(p.big(), s.big(), "ring all-reduce on rank " + r);
            assertArrayEquals(plain.get(0).big(), s.big(), "every rank the same bits");
            assertArrayEquals(p.buckets(), s.buckets(), "bucketed all-reduce (two buffers in turn) on rank " + r);
            assertEquals(0, p.syncs(), "the CPU passes tensors untouched: no staging sync");
            assertEquals(0, p.stagingNanos(), "no staging time unstaged");
            long allToAlls = ranks == expertParallelSize || expertParallelSize == 0 ? 1 : 0;
            assertEquals(allToAlls + 3 + 3, s.syncs(), "one staging sync per staged exchange of a non-empty tensor");
            assertTrue(s.stagingNanos() > 0, "staging time is clocked");
            assertEquals(s.buffersBefore(), s.buffersAfter(), "the host buffers are reused, not reallocated");
            assertTrue(s.buffersAfter() >= BIG, "the all-reduce buffer grew to the big tensor");
            assertTrue(s.onCpu(), "the result comes back on the caller's device, in its manager");
        }
    }

    @ParameterizedTest
    @CsvSource({"cpu", "gpu"})
    void forDeviceCopiesOnlyDeviceTensors(String device) {
        try (HostStaging staging = HostStaging.copying();
                NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = m.create(new float[] {1, 2});
            assertTrue(staging.copies(x), "copying() stages CPU tensors too");
            assertFalse(HostStaging.forDevice(Device.cpu()).copies(x), "a CPU rank's tensors pass as they are");
            if (device.equals("gpu")) {
                // no GPU here: the staging for one is built (its module compiles on this libtorch), and a CPU tensor
                // it is handed still passes untouched; pinning is only tried with the first device tensor
                HostStaging gpu = HostStaging.forDevice(Device.gpu(0));
                assertFalse(gpu.copies(x));
                assertFalse(gpu.pinned());
                assertNull(gpu.whyNotPinned());
                gpu.close();
            }
        }
    }
}
