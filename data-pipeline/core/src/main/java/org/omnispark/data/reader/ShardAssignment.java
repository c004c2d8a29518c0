package org.omnispark.data.reader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which shards a rank reads in an epoch. All ranks compute the same permutation of the dataset's shards from
 * (seed, epoch) and take equal, disjoint slices of it, so every rank reads the same number of shards (no rank
 * waits on another at the end of an epoch). When the shard count is not a multiple of the world size, the
 * {@code shards % worldSize} shards at the end of the permutation sit out that epoch (different ones each epoch).
 */
public final class ShardAssignment {
    private ShardAssignment() {
    }

    /**
     * @param shards all shard paths of the dataset, in manifest order
     * @return the shards of {@code rank} for {@code epoch}, in reading order
     */
    public static List<String> forRank(List<String> shards, long seed, int epoch, int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("need 0 <= rank < worldSize, got rank " + rank + " of " + worldSize);
        }
        if (shards.size() < worldSize) {
            throw new IllegalArgumentException("the dataset has " + shards.size() + " shards for " + worldSize
                    + " ranks: re-run prepare with output.num_shards >= " + worldSize
                    + " (ideally ranks x loader workers)");
        }
        List<String> order = new ArrayList<>(shards);
        Collections.shuffle(order, new Random(mix(seed, epoch)));
        int per = shards.size() / worldSize;
        return List.copyOf(order.subList(rank * per, (rank + 1) * per));
    }

    /**
     * The shards some rank of {@code worldSize} reads in {@code epoch} (those that do not sit it out), in the order
     * of the epoch's permutation: rank r's share is the r-th slice of this list.
     */
    public static List<String> activeShards(List<String> shards, long seed, int epoch, int worldSize) {
        List<String> all = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            all.addAll(forRank(shards, seed, epoch, r, worldSize));
        }
        return List.copyOf(all);
    }

    static long mix(long seed, long epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
