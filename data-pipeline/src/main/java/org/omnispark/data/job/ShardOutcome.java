package org.omnispark.data.job;

import java.io.Serializable;
import java.util.List;

/**
 * What one shard task produced, saved as {@code OUT/_work/done/shard-NNNNN.json} when its file is complete (a resumed
 * run reads it instead of redoing the shard).
 *
 * @param shard the shard index
 * @param file the shard file relative to the dataset folder, or null when no row of the shard was accepted
 * @param rows rows written (speed-perturbed copies included)
 * @param frames feature frames written
 * @param seconds audio seconds written, added in file order
 * @param originalRows rows that are not speed-perturbed copies
 * @param cmvnSum exact per-dimension sums of the features, as decimal strings
 * @param cmvnSumSquares exact per-dimension sums of squares
 * @param rejects the shard's rejected input rows
 * @param resumed true when read back from a crashed run's marker instead of made by this run
 */
record ShardOutcome(int shard, String file, long rows, long frames, double seconds, long originalRows,
                    String[] cmvnSum, String[] cmvnSumSquares, List<Reject> rejects, boolean resumed)
        implements Serializable {

    /** This outcome, marked as read back from an earlier run. */
    ShardOutcome asResumed() {
        return new ShardOutcome(shard, file, rows, frames, seconds, originalRows, cmvnSum, cmvnSumSquares, rejects,
                true);
    }

    /** A rejected input row (the columns of the rejects table). */
    record Reject(String key, String reason, String detail, String source, long line, String audioPath)
            implements Serializable {
    }
}
