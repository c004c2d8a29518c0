package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;

/**
 * The result of {@link TokenDispatcher#dispatch}: token rows sorted by local expert plus what combine needs.
 *
 * @param permutedTokens {@code [N, d]} rows for the LOCAL experts, grouped by expert in expert order (and, within an
 *     expert, by source rank, then token)
 * @param tokensPerLocalExpert rows per local expert (sums to N)
 * @param tokensPerExpert kept (token, choice) assignments per global expert on THIS rank's tokens, after dropping
 * @param inputSplits rows this rank sends to each rank of its expert-parallel group (Megatron's input_splits)
 * @param outputSplits rows this rank receives from each rank (output_splits)
 * @param sourceToken for each row this rank SENT (send order: by expert, then token), the index of its token in
 *     {@code [0, T)}; in one process the sent rows are the permuted rows
 * @param combineIndex for each (token t, choice j) at {@code t * k + j}, the sent row holding its expert output once
 *     it is back, or -1 when the assignment was dropped or the token is padding
 * @param weights the router's combine weights {@code [T, k]}
 * @param numTokens T
 * @param droppedAssignments valid (token, choice) assignments of this rank dropped by the capacity limit
 * @param batchStatistics routing counts over the whole batch the router's losses average over ({@link
 *     BatchStatistics})
 * @param exchange what a distributed dispatcher keeps between dispatch and combine; null in one process
 */
public record DispatchedTokens(
        NDArray permutedTokens,
        long[] tokensPerLocalExpert,
        long[] tokensPerExpert,
        long[] inputSplits,
        long[] outputSplits,
        long[] sourceToken,
        long[] combineIndex,
        NDArray weights,
        int numTokens,
        long droppedAssignments,
        BatchStatistics batchStatistics,
        Object exchange) {

    /** Validates sizes. */
    public DispatchedTokens {
        long rows = 0;
        for (long n : tokensPerLocalExpert) {
            rows += n;
        }
        if (rows != permutedTokens.getShape().get(0)) {
            throw new IllegalArgumentException("tokensPerLocalExpert sums to " + rows + " but there are "
                    + permutedTokens.getShape().get(0) + " permuted rows");
        }
    }

    /** @return k, the number of choices per token */
    public int topK() {
        return numTokens == 0 ? 0 : combineIndex.length / numTokens;
    }

    /** @return N, the number of permuted rows for the local experts */
    public int numRows() {
        return Math.toIntExact(permutedTokens.getShape().get(0));
    }

    /** @return the number of rows this rank sent (its kept assignments) */
    public int numSentRows() {
        return sourceToken.length;
    }
}
