package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnispark.trainer.parallel.ExpertPlacement;

/**
 * 16 ranks on real loopback sockets in groups by role (E = 8 experts, expert-parallel groups of P = 4, replica groups
 * of 4): each rank holds connections and link threads only for its 6 group peers, never the 15 of a full mesh; the
 * world collectives over the grid (all-gather, all-reduce) give the full mesh's results with the same bits on every
 * rank; closing the mesh joins every link thread.
 */
class ProcessGroupsByRoleTest {

    private static final int RANKS = 16;
    private static final int EXPERTS = 8;
    private static final int GROUP = 4;
    private static final int BIG = 16_411;

    private record Seen(int[] peers, Set<String> linkThreads, long[] gathered, float[] reduced, float[] small,
            int worldRank, int[] experts, String group) {}

    private static Set<String> linkThreads(int rank) {
        String prefix = "omnispark-rank" + rank + "-";
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix + "send-") || n.startsWith(prefix + "recv-"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void sixteenRanksConnectOnlyToTheirGroupsAndTheWorldStillSumsExactly() throws Exception {
        List<Seen> seen = InProcessRanks.run(RANKS, 30_000, r -> MeshParallelism.peers(EXPERTS, RANKS, r, GROUP),
                mesh -> {
                    MeshParallelism parallelism = new MeshParallelism(mesh, EXPERTS, GROUP);
                    int rank = mesh.rank();
                    long[] gathered = parallelism.world().allGather(new long[] {rank * 10L, -rank}, "ranks");
                    float[] reduced;
                    float[] small;
                    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                        // 3 values over expert-parallel groups of 4: one ring chunk is empty
                        NDArray few = m.create(new float[] {rank, 1, -2 * rank}, new Shape(3));
                        parallelism.world().allReduceSum(few, "few values");
                        small = few.toFloatArray();
                        // above LatencyCollectives.MAX_SUM_BYTES (the ring path), not a multiple of either group size: uneven chunks
                        float[] mine = new float[BIG];
                        for (int i = 0; i < mine.length; i++) {
                            mine[i] = (float) (0.1 * (rank + 1) + 1e-3 * i * (rank % 3) + 1.0 / (i + 1));
                        }
                        NDArray values = m.create(mine, new Shape(mine.length));
                        parallelism.world().allReduceSum(values, "values");
                        reduced = values.toFloatArray();
                    }
                    ExpertPlacement placement = parallelism.placement(EXPERTS);
                    return new Seen(mesh.peers(), linkThreads(rank), gathered, reduced, small,
                            parallelism.world().rank(),
                            new int[] {placement.localExpertOffset(), placement.numLocalExperts()},
                            parallelism.world().toString());
                });
        for (int r = 0; r < RANKS; r++) {
            Seen s = seen.get(r);
            int g = r / GROUP;
            int i = r % GROUP;
            Set<Integer> expected = new TreeSet<>();
            for (int q = 0; q < GROUP; q++) {
                expected.add(g * GROUP + q); // its expert-parallel group
                expected.add(q * GROUP + i); // its replica group
            }
            expected.remove(r);
            assertEquals(List.copyOf(expected), Arrays.stream(s.peers()).boxed().toList(), "peers of rank " + r);
            assertEquals(6, s.peers().length, "rank " + r + " connects to 3 + 3 group peers, not " + (RANKS - 1));
            Set<String> threads = new TreeSet<>();
            for (int q : s.peers()) {
                threads.add("omnispark-rank" + r + "-send-" + q);
                threads.add("omnispark-rank" + r + "-recv-" + q);
            }
            assertEquals(threads, s.linkThreads(), "link threads of rank " + r + " (a sender and a receiver per peer)");
            assertEquals(r, s.worldRank());
            assertArrayEquals(new int[] {i * EXPERTS / GROUP, EXPERTS / GROUP}, s.experts(), "experts of rank " + r);
            assertTrue(s.group().startsWith("GridProcessGroup"), s.group());
            long[] world = new long[2 * RANKS];
            for (int q = 0; q < RANKS; q++) {
                world[2 * q] = q * 10L;
                world[2 * q + 1] = -q;
            }
            assertArrayEquals(world, s.gathered(), "world all-gather in rank order on rank " + r);
            assertArrayEquals(seen.get(0).reduced(), s.reduced(), "rank " + r + " holds rank 0's bits of the sum");
            assertArrayEquals(new float[] {120, 16, -240}, s.small(), "sum of 3 values on rank " + r);
        }
        for (int i = 0; i < BIG; i++) {
            double sum = 0;
            for (int q = 0; q < RANKS; q++) {
                sum += (float) (0.1 * (q + 1) + 1e-3 * i * (q % 3) + 1.0 / (i + 1));
            }
            assertEquals(sum, seen.get(0).reduced()[i], 1e-5 * Math.abs(sum), "sum [" + i + "]");
        }
        for (int r = 0; r < RANKS; r++) {
            assertEquals(Set.of(), linkThreads(r), "rank " + r + "'s link threads after close (joined)");
        }
    }

    /**
     * A replica group larger than {@value MeshParallelism#DIRECT_REPLICA_GROUP} (here the whole world: P = 1, every
     * rank holds every expert) all-gathers by doubling and all-reduces by recursive halving and doubling (16 ranks) or
     * by the ring (12 ranks: not a power of two): each rank connects to its members at distances +-1, 2, 4, 8 only,
     * and the world collectives are still exact, in rank order, the same bits everywhere.
     */
    @ParameterizedTest
    @CsvSource({"16,7", "12,6"})
    void aLargeReplicaGroupGathersByDoubling(int ranks, int expectedPeers) throws Exception {
        List<Seen> seen = InProcessRanks.run(ranks, 30_000, r -> MeshParallelism.peers(4, ranks, r, 1), mesh -> {
            MeshParallelism parallelism = new MeshParallelism(mesh, 4, 1);
            int rank = mesh.rank();
            long[] gathered = parallelism.world().allGather(new long[] {rank * 10L, -rank, 7}, "ranks");
            float[] reduced;
            float[] ringSum;
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray values = m.create(new float[] {rank, 0.1f * rank, 1, -rank, 3}, new Shape(5));
                parallelism.world().allReduceSum(values, "values"); // small: gathered by doubling, summed
                reduced = values.toFloatArray();
                float[] many = new float[BIG];
                java.util.Arrays.fill(many, rank);
                NDArray big = m.create(many, new Shape(BIG));
                parallelism.world().allReduceSum(big, "many values"); // large: halving/doubling (16), ring (12)
                ringSum = big.toFloatArray();
                assertEquals(ranks == 16, ((MeshProcessGroup) ((StagedProcessGroup) parallelism.world()).unstaged()).usesHalvingDoubling(),
                        "16 ranks: halving and doubling; 12: the ring");
            }
            return new Seen(mesh.peers(), linkThreads(rank), gathered, reduced, ringSum, rank, null,
                    parallelism.world().toString());
        });
        for (int r = 0; r < ranks; r++) {
            Seen s = seen.get(r);
            assertEquals(expectedPeers, s.peers().length, "peers of rank " + r + ": " + Arrays.toString(s.peers()));
            assertTrue(Arrays.binarySearch(s.peers(), (r + 1) % ranks) >= 0, "the ring's next rank is a peer");
            // a link starts its sender or receiver thread at its first use: doubling sends only to the member d
            // before and receives only from the member d after, so only the ring's neighbours use both directions
            for (String thread : s.linkThreads()) {
                int peer = Integer.parseInt(thread.substring(thread.lastIndexOf('-') + 1));
                assertTrue(Arrays.binarySearch(s.peers(), peer) >= 0, thread + " is for a peer of rank " + r);
            }
            assertTrue(s.linkThreads().size() >= expectedPeers && s.linkThreads().size() <= 2 * expectedPeers,
                    "link threads of rank " + r + ": " + s.linkThreads());
            long[] world = new long[3 * ranks];
            for (int q = 0; q < ranks; q++) {
                world[3 * q] = q * 10L;
                world[3 * q + 1] = -q;
                world[3 * q + 2] = 7;
            }
            assertArrayEquals(world, s.gathered(), "world all-gather in rank order on rank " + r);
            assertArrayEquals(seen.get(0).reduced(), s.reduced(), "rank " + r + " holds rank 0's bits of the sum");
        }
        float sum = ranks * (ranks - 1) / 2f;
        for (int r = 0; r < ranks; r++) {
            float[] expected = new float[BIG];
            java.util.Arrays.fill(expected, sum);
            assertArrayEquals(expected, seen.get(r).small(), "the ring's sum of " + BIG + " values on rank " + r);
        }
        assertArrayEquals(new float[] {sum, 0.1f * sum, ranks, -sum, 3 * ranks}, seen.get(0).reduced(), 1e-3f);
    }

    @Test
    void aRankHasNoConnectionOutsideItsGroupsAndTheWorldRefusesAnAllToAll() throws Exception {
        List<String> errors = InProcessRanks.run(4, 10_000, r -> MeshParallelism.peers(4, 4, r, 2), mesh -> {
            MeshParallelism parallelism = new MeshParallelism(mesh, 4, 2);
            // rank 0's groups: {0, 1} (expert-parallel) and {0, 2} (replica); rank 3 shares none with it
            String noLink = mesh.rank() != 0 ? "" : assertThrows(IllegalStateException.class,
                    () -> mesh.exchange(List.of(), List.of(new org.omnispark.expertparallel.transport.PeerMesh.Transfer(3,
                            null, null)), "a probe")).getMessage();
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray rows = m.zeros(new Shape(0, 2));
                String refused = assertThrows(UnsupportedOperationException.class, () -> parallelism.world()
                        .allToAll(rows, new long[4], new long[4], "probe")).getMessage();
                return noLink + " | " + refused;
            }
        });
        assertTrue(errors.get(0).contains("rank 0 has no connection to rank 3") && errors.get(0).contains("[1, 2]")
                && errors.get(0).contains("a probe"), errors.get(0));
        assertTrue(errors.get(1).contains("no all-to-all over the whole world"), errors.get(1));
    }

    @ParameterizedTest
    @CsvSource({"16,8,4,6", "16,8,0,8", "16,16,0,15", "16,4,0,6", "8,8,8,7", "16,8,2,8",
            "16,8,1,7", "12,4,1,6", "1024,64,8,20", "1024,64,64,70", "64,8,1,11", "4096,64,64,74"})
    void peersGrowWithTheGroupsNotTheWorld(int ranks, int experts, int group, int expected) {
        for (int r : new int[] {0, ranks / 2 + 1, ranks - 1}) {
            int[] peers = MeshParallelism.peers(experts, ranks, r, group);
            assertEquals(expected, peers.length, ranks + " ranks, " + experts + " experts, P " + group + ", rank " + r);
            for (int q : peers) { // symmetric: each peer has this rank among its own
                assertTrue(Arrays.binarySearch(MeshParallelism.peers(experts, ranks, q, group), r) >= 0);
            }
        }
    }

    @Test
    void groupSizesThatDoNotDivideAreRefusedNamingThoseThatDo() {
        String message = assertThrows(IllegalArgumentException.class, () -> ExpertPlacement.resolve(8, 12, 3))
                .getMessage();
        assertTrue(message.contains("expert_parallel_size 3") && message.contains("1, 2, 4"), message);
        assertThrows(IllegalArgumentException.class, () -> ExpertPlacement.resolve(8, 16, 16));
        assertEquals(4, ExpertPlacement.resolve(8, 12, 4)); // 12 ranks, 8 experts: no default placement, P = 4 fits
        assertEquals(8, ExpertPlacement.resolve(8, 16, 0));
    }
}
