package org.omnispark.data.job;

import java.io.Serializable;
import org.apache.spark.Partitioner;

/**
 * Balances utterances over shards by duration: rows sorted by duration (longest first, ties by key) are dealt to
 * shards in "snake" order (0, 1, ..., n-1, n-1, ..., 1, 0, 0, 1, ...), so every shard gets a similar total duration
 * and a similar mix of lengths, and the assignment depends only on the data (deterministic).
 */
public final class ShardPlanner {
    private ShardPlanner() {
    }

    /** The shard of the row at position {@code rank} of the longest-first order. */
    public static int shardOf(long rank, int numShards) {
        long round = rank / numShards;
        int pos = (int) (rank % numShards);
        return round % 2 == 0 ? pos : numShards - 1 - pos;
    }

    /** Partition i holds exactly shard i. */
    public static final class ShardPartitioner extends Partitioner implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int numShards;

        public ShardPartitioner(int numShards) {
            this.numShards = numShards;
        }

        @Override
        public int numPartitions() {
            return numShards;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ShardPartitioner p && p.numShards == numShards;
        }

        @Override
        public int hashCode() {
            return numShards;
        }
    }

    /** The file name of shard {@code i} of {@code n}. */
    public static String shardFileName(int i, int n) {
        return String.format("shard-%05d-of-%05d.parquet", i, n);
    }
}
