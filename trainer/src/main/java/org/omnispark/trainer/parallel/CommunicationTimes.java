package org.omnispark.trainer.parallel;

/**
 * Where one rank's communication time went since the last report (nanoseconds), and how much it sent.
 *
 * @param dispatchNanos inside the dispatch all-to-alls (forward, and their reverse in the backward pass)
 * @param combineNanos inside the combine all-to-alls (forward and reverse)
 * @param allReduceNanos inside the gradient all-reduce
 * @param waitNanos inside small agreements (batch sizes, routing counts, norms, checksums): mostly waiting for the
 *     slowest rank
 * @param bytesSent payload bytes sent to peers
 * @param stagingNanos copying device tensors to host memory for those exchanges and their results back (host
 *     staging; zero on the CPU, where tensors enter the exchange as they are)
 */
public record CommunicationTimes(long dispatchNanos, long combineNanos, long allReduceNanos, long waitNanos,
        long bytesSent, long stagingNanos) {

    /** Nothing measured (one process). */
    public static final CommunicationTimes ZERO = new CommunicationTimes(0, 0, 0, 0, 0, 0);

    /** @return the sum of the five times */
    public long totalNanos() {
        return dispatchNanos + combineNanos + allReduceNanos + waitNanos + stagingNanos;
    }
}
