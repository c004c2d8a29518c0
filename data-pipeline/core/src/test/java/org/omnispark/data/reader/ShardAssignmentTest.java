package org.omnispark.data.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Per-epoch, per-rank shard slices of {@link ShardAssignment}. */
class ShardAssignmentTest {
    private static List<String> shards(int n) {
        return IntStream.range(0, n).mapToObj(i -> String.format("shard-%05d.parquet", i)).toList();
    }

    @Test
    void slicesAreDisjointEqualAndCoverAllButTheRemainder() {
        for (int[] c : new int[][] {{10, 3}, {16, 4}, {7, 7}, {9, 1}, {100, 8}}) {
            int numShards = c[0];
            int world = c[1];
            List<String> all = shards(numShards);
            Set<String> union = new HashSet<>();
            int total = 0;
            for (int rank = 0; rank < world; rank++) {
                List<String> mine = ShardAssignment.forRank(all, 7, 3, rank, world);
                // per rank: floor(shards / world)
                assertEquals(numShards / world, mine.size(),
                        "rank " + rank + " of " + world + " with " + numShards + " shards");
                assertEquals(mine.size(), new HashSet<>(mine).size(), "no shard twice within a rank");
                total += mine.size();
                union.addAll(mine);
            }
            assertEquals(total, union.size(), "slices are disjoint");
            // covered = shards - shards % world
            assertEquals(numShards - numShards % world, union.size(),
                    numShards + " shards, world " + world + ": " + numShards % world + " sit out");
            assertTrue(all.containsAll(union));
        }
    }

    @Test
    void deterministicPerSeedAndEpoch() {
        List<String> all = shards(24);
        for (int rank = 0; rank < 4; rank++) {
            assertEquals(ShardAssignment.forRank(all, 11, 5, rank, 4), ShardAssignment.forRank(all, 11, 5, rank, 4));
        }
    }

    @Test
    void permutationChangesAcrossEpochsAndSeeds() {
        List<String> all = shards(24);
        Set<List<String>> perEpoch = new HashSet<>();
        for (int epoch = 0; epoch < 5; epoch++) {
            perEpoch.add(ShardAssignment.forRank(all, 11, epoch, 0, 1));
        }
        assertEquals(5, perEpoch.size(), "5 epochs should give 5 different orders of 24 shards");
        assertNotEquals(ShardAssignment.forRank(all, 1, 0, 0, 1), ShardAssignment.forRank(all, 2, 0, 0, 1),
                "different seeds give different orders");
        // world 1 reads every shard: a permutation.
        assertEquals(new HashSet<>(all), new HashSet<>(ShardAssignment.forRank(all, 11, 0, 0, 1)));
    }

    @Test
    void leftOutShardsRotateAcrossEpochs() {
        // 10 shards over 3 ranks: 1 sits out per epoch; over 20 epochs more than one distinct shard sits out.
        List<String> all = shards(10);
        Set<String> satOut = new HashSet<>();
        for (int epoch = 0; epoch < 20; epoch++) {
            List<String> read = new ArrayList<>();
            for (int rank = 0; rank < 3; rank++) {
                read.addAll(ShardAssignment.forRank(all, 0, epoch, rank, 3));
            }
            List<String> out = new ArrayList<>(all);
            out.removeAll(read);
            assertEquals(1, out.size(), "epoch " + epoch + ": 10 % 3 = 1 shard sits out");
            satOut.addAll(out);
        }
        assertTrue(satOut.size() > 1, "the same shard sat out every epoch: " + satOut);
    }

    @Test
    void inputListIsNotModified() {
        List<String> all = new ArrayList<>(shards(6));
        List<String> copy = List.copyOf(all);
        ShardAssignment.forRank(all, 3, 1, 0, 2);
        assertEquals(copy, all);
    }

    @Test
    void fewerShardsThanRanksIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShardAssignment.forRank(shards(3), 0, 0, 0, 4));
        assertTrue(e.getMessage().contains("3 shards") && e.getMessage().contains("4 ranks")
                && e.getMessage().contains("output.num_shards"), e.getMessage());
    }

    @Test
    void badRankIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> ShardAssignment.forRank(shards(4), 0, 0, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ShardAssignment.forRank(shards(4), 0, 0, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> ShardAssignment.forRank(shards(4), 0, 0, 0, 0));
    }
}
