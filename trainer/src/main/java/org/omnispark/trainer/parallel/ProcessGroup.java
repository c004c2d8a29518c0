package org.omnispark.trainer.parallel;

import ai.djl.ndarray.NDArray;

/**
 * The ranks that train one model together, and the collectives among them (the part of torch.distributed the trainer
 * needs). Every method is a COLLECTIVE: every rank of the group calls it, in the same order, with the same
 * {@code phase} label; a rank that skips one (for instance because it has no tokens) would leave its peers waiting,
 * so implementations exchange messages even when they are empty.
 *
 * <p>{@code phase} says who waits for what (e.g. {@code "step 12 encoder.ffn3 dispatch"}); implementations put it in
 * every timeout and error message. {@link SingleProcessGroup} is the trivial group of one rank; the expert-parallel
 * module provides one over TCP between the tasks of a Spark barrier stage.
 */
public interface ProcessGroup {

    /** @return this rank, in {@code [0, size())} */
    int rank();

    /** @return the number of ranks */
    int size();

    /**
     * Concatenates every rank's values in rank order.
     *
     * @param local this rank's values; the same length on every rank
     * @param phase what the values are, for errors
     * @return {@code size() * local.length} values, rank r's at {@code [r * local.length, (r + 1) * local.length)}
     */
    long[] allGather(long[] local, String phase);

    /**
     * Sums a float32 tensor over the ranks, in place. Every rank ends with the SAME bits (the sum is computed once per
     * element and copied), so replicated parameters updated from it stay identical.
     *
     * @param values a contiguous float32 tensor, any shape; on the CPU, or on any device where the group stages
     *     device tensors through host memory (the expert-parallel module's groups do)
     * @param phase what is reduced, for errors
     */
    void allReduceSum(NDArray values, String phase);

    /**
     * Sums several float32 tensors over the ranks, each in place: {@link #allReduceSum(NDArray, String)} on each in
     * order, with the same bits. A group that stages device tensors through host memory overlaps one tensor's copy
     * to the host with the previous one's exchange.
     *
     * @param buffers the tensors (a gradient all-reduce's buckets), each contiguous float32
     * @param phases what each is, for errors (the same length)
     */
    default void allReduceSum(java.util.List<NDArray> buffers, java.util.List<String> phases) {
        for (int i = 0; i < buffers.size(); i++) {
            allReduceSum(buffers.get(i), phases.get(i));
        }
    }

    /**
     * All-to-all of rows: this rank sends rows {@code [offset_s, offset_s + inputSplits[s])} of {@code rows} to rank
     * s and receives {@code outputSplits[s]} rows from rank s.
     *
     * @param rows {@code [sum(inputSplits), d]} float32, contiguous, grouped by destination rank; on the CPU, or on
     *     any device where the group stages device tensors through host memory
     * @param inputSplits rows sent to each rank (length size())
     * @param outputSplits rows received from each rank (length size()); must equal what each peer sends
     * @param phase what is exchanged, for errors
     * @return {@code [sum(outputSplits), d]} in {@code rows}' manager and on its device, grouped by source rank, not
     *     attached to any graph
     */
    NDArray allToAll(NDArray rows, long[] inputSplits, long[] outputSplits, String phase);

    /**
     * All-gathers doubles exactly (as their bits).
     *
     * @param local this rank's values
     * @param phase what they are
     * @return every rank's values in rank order
     */
    default double[] allGather(double[] local, String phase) {
        long[] bits = new long[local.length];
        for (int i = 0; i < local.length; i++) {
            bits[i] = Double.doubleToRawLongBits(local[i]);
        }
        long[] all = allGather(bits, phase);
        double[] out = new double[all.length];
        for (int i = 0; i < all.length; i++) {
            out[i] = Double.longBitsToDouble(all[i]);
        }
        return out;
    }

    /**
     * Sums doubles over the ranks in rank order, so every rank gets the same bits.
     *
     * @param local this rank's values
     * @param phase what they are
     * @return the element-wise sums
     */
    default double[] sumInRankOrder(double[] local, String phase) {
        double[] all = allGather(local, phase);
        double[] sum = new double[local.length];
        for (int r = 0; r < size(); r++) {
            for (int i = 0; i < local.length; i++) {
                sum[i] += all[r * local.length + i];
            }
        }
        return sum;
    }
}
