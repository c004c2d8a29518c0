package org.omnispark.data.job;

import java.io.Serializable;
import java.util.List;

/**
 * What one shard task produced, saved as {@code OUT/_work/done/shard-NNNNN.json} when its file is complete (a resumed
 * run, or a second attempt of the task, reads it instead of redoing the shard).
 *
 * @param shard the shard index
 * @param plan the digest of the {@link ShardPlan} the shard was made for
 * @param file the shard file relative to the dataset folder (in {@code _work/staged/} until the job publishes it),
 *     or null when no row of the shard was accepted
 * @param bytes the file's length
 * @param rows rows written (speed-perturbed copies included)
 * @param frames feature frames written
 * @param seconds audio seconds written, added in file order
 * @param originalRows rows that are not speed-perturbed copies
 * @param cmvnSum exact per-dimension sums of the features, as decimal strings
 * @param cmvnSumSquares exact per-dimension sums of squares
 * @param rejects the shard's rejected input rows
 * @param resumed true when read back from a crashed run's marker instead of made by this run
 */
record ShardOutcome(int shard, String plan, String file, long bytes, long rows, long frames, double seconds,
                    long originalRows, String[] cmvnSum, String[] cmvnSumSquares, List<Reject> rejects, boolean resumed)
        implements Serializable {

    /** This outcome, marked as read back from an earlier run. */
    ShardOutcome asResumed() {
        return new ShardOutcome(shard, plan, file, bytes, rows, frames, seconds, originalRows, cmvnSum,
                cmvnSumSquares, rejects, true);
    }

    /** This outcome with its file at {@code published} (where the job moved it). */
    ShardOutcome publishedAs(String published, boolean wasResumed) {
        return new ShardOutcome(shard, plan, published, bytes, rows, frames, seconds, originalRows, cmvnSum,
                cmvnSumSquares, rejects, wasResumed);
    }

    /** A rejected input row (the columns of the rejects table). */
    record Reject(String key, String reason, String detail, String source, long line, String audioPath)
            implements Serializable {
    }
}
