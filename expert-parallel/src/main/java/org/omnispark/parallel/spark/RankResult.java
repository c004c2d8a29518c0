package org.omnispark.parallel.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What one rank of the barrier stage returns to the driver (Spark serializes it): its training summary. Losses are
 * global (summed over the ranks), so rank 0's are the run's.
 *
 * @param rank the rank
 * @param finalStep the last optimizer step it ran
 * @param epoch the epoch it ended in
 * @param seconds its training time
 * @param losses the loss of each step it ran, in order
 */
record RankResult(int rank, long finalStep, int epoch, double seconds, List<Double> losses) implements Serializable {

    /** Copies the losses into a serializable, unmodifiable list. */
    RankResult {
        losses = List.copyOf(losses);
    }

    /**
     * @param results every rank's
     * @return rank 0's
     * @throws IllegalStateException when rank 0 returned none
     */
    static RankResult rankZero(RankResult[] results) {
        for (RankResult r : results) {
            if (r.rank() == 0) {
                return r;
            }
        }
        throw new IllegalStateException("rank 0 returned no result; the ranks that did: " + java.util.Arrays.stream(
                results).map(RankResult::rank).toList());
    }
}
