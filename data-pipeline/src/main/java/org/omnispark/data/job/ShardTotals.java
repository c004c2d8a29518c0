package org.omnispark.data.job;

/**
 * Running totals of shard rows: rows, feature frames, seconds of audio, rows that are not speed-perturbed copies, and
 * the exact CMVN sums ({@link ExactSum}: the same rows give the same bits in any order). Filled row by row by
 * {@link ShardTask} and outcome by outcome by {@link ShardsSummary}. Mutable, not thread-safe.
 */
final class ShardTotals {
    final ExactSum sum = new ExactSum();
    final ExactSum sumSquares = new ExactSum();
    long rows;
    long frames;
    long originals;
    double seconds;

    /** Adds one shard row's counts and per-bin feature sums. */
    void addRow(int frameCount, double rowSeconds, boolean original, double[] rowSum, double[] rowSumSquares) {
        rows++;
        frames += frameCount;
        seconds += rowSeconds;
        originals += original ? 1 : 0;
        sum.add(rowSum);
        sumSquares.add(rowSumSquares);
    }

    /** Adds a whole shard's totals. */
    void addShard(ShardOutcome o) {
        rows += o.rows();
        frames += o.frames();
        seconds += o.seconds();
        originals += o.originalRows();
        sum.add(ExactSum.parse(o.cmvnSum()));
        sumSquares.add(ExactSum.parse(o.cmvnSumSquares()));
    }
}
