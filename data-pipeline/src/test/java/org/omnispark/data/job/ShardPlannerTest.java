package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Snake-order dealing of {@link ShardPlanner}. */
class ShardPlannerTest {
    @Test
    void snakeOrderForThreeShards() {
        // rank r: round = r / 3, pos = r % 3; even round -> pos, odd round -> 3 - 1 - pos.
        // ranks 0..8 -> 0,1,2 | 2,1,0 | 0,1,2
        int[] expected = {0, 1, 2, 2, 1, 0, 0, 1, 2};
        int[] actual = new int[9];
        for (int r = 0; r < 9; r++) {
            actual[r] = ShardPlanner.shardOf(r, 3);
        }
        assertArrayEquals(expected, actual, () -> "got " + Arrays.toString(actual));
    }

    @Test
    void oneShardTakesEverything() {
        for (long r = 0; r < 10; r++) {
            assertEquals(0, ShardPlanner.shardOf(r, 1));
        }
    }

    @Test
    void largeRanksStayInRange() {
        // rank 2^40 + 5 with 7 shards: round = floor((2^40+5)/7), pos = (2^40+5) mod 7.
        long rank = (1L << 40) + 5;
        long round = rank / 7;
        int pos = (int) (rank % 7);
        int expected = round % 2 == 0 ? pos : 6 - pos;
        assertEquals(expected, ShardPlanner.shardOf(rank, 7), "rank " + rank + " round " + round + " pos " + pos);
    }

    @Test
    void everyPairOfRoundsGivesEachShardTwoRows() {
        // Ranks 0 .. 2n-1 visit each shard exactly twice (once per direction).
        int n = 8;
        int[] count = new int[n];
        for (int r = 0; r < 2 * n; r++) {
            count[ShardPlanner.shardOf(r, n)]++;
        }
        int[] twos = new int[n];
        Arrays.fill(twos, 2);
        assertArrayEquals(twos, count);
    }

    @Test
    void totalsAreBalancedWithinTheLongestDuration() {
        // Claim: after dealing longest-first in snake order, max total - min total <= longest duration.
        // (Each pair of shards differs per round by at most that round's spread, with alternating sign; the rounds
        // occupy disjoint, descending value intervals, so the alternating sums are bounded by d_max.)
        Random rnd = new Random(42);
        for (int n : new int[] {2, 3, 7, 8, 64}) {
            double[] d = new double[1000];
            for (int i = 0; i < d.length; i++) {
                // mixture of short and long utterances, 0.1 .. 30 s
                d[i] = rnd.nextDouble() < 0.9 ? 0.1 + 10 * rnd.nextDouble() : 10 + 20 * rnd.nextDouble();
            }
            double[] sorted = d.clone();
            Arrays.sort(sorted);
            double[] totals = new double[n];
            for (int rank = 0; rank < sorted.length; rank++) {
                totals[ShardPlanner.shardOf(rank, n)] += sorted[sorted.length - 1 - rank];
            }
            double max = Arrays.stream(totals).max().orElseThrow();
            double min = Arrays.stream(totals).min().orElseThrow();
            double longest = sorted[sorted.length - 1];
            assertTrue(max - min <= longest, "n=" + n + ": max " + max + " - min " + min + " = " + (max - min)
                    + " > longest " + longest);
            assertEquals(Arrays.stream(d).sum(), Arrays.stream(totals).sum(), 1e-6, "no duration lost");
        }
    }

    @Test
    void shardFileNames() {
        assertEquals("shard-00003-of-00016.parquet", ShardPlanner.shardFileName(3, 16));
    }

    @Test
    void partitionerMapsShardToPartition() {
        ShardPlanner.ShardPartitioner p = new ShardPlanner.ShardPartitioner(5);
        assertEquals(5, p.numPartitions());
        assertEquals(4, p.getPartition(4));
        assertEquals(new ShardPlanner.ShardPartitioner(5), p);
        assertTrue(!p.equals(new ShardPlanner.ShardPartitioner(6)));
    }
}
