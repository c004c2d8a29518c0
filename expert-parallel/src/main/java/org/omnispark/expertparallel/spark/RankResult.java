package org.omnispark.expertparallel.spark;

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
 * @param peers the ranks it was connected to at the end (the members of its process groups)
 * @param linkThreads its connections' live sender and receiver threads at the end (at most two per peer: each starts
 *     at its direction's first use)
 */
record RankResult(int rank, long finalStep, int epoch, double seconds, List<Double> losses, List<Integer> peers,
        int linkThreads) implements Serializable {

    /** Copies the lists into serializable, unmodifiable ones. */
    RankResult {
        losses = List.copyOf(losses);
        peers = List.copyOf(peers);
    }

    /**
     * @param results every rank's
     * @return one line: each rank's connections (peers) and link threads, in rank order
     */
    static String connections(RankResult[] results) {
        return java.util.Arrays.stream(results).sorted(java.util.Comparator.comparingInt(RankResult::rank))
                .map(r -> "rank " + r.rank() + ": " + r.peers().size() + " peers " + r.peers() + ", "
                        + r.linkThreads() + " link threads")
                .collect(java.util.stream.Collectors.joining("; ", "connections per rank: ", ""));
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
