package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;

/**
 * The result of {@link TokenDispatcher#dispatch}: token rows sorted by local expert plus what combine needs.
 *
 * @param permutedTokens {@code [N, d]} rows for the local experts, grouped by expert in expert order and, within an
 *     expert, in token order
 * @param tokensPerLocalExpert rows per local expert (sums to N)
 * @param tokensPerExpert kept (token, choice) assignments per global expert on THIS rank's tokens, after dropping
 * @param inputSplits rows this rank sends to each rank (Megatron's input_splits); {@code [N]} for one rank
 * @param outputSplits rows this rank receives from each rank (output_splits); {@code [N]} for one rank
 * @param sourceToken for each permuted row, the index of its token in {@code [0, T)}
 * @param combineIndex for each (token t, choice j) at {@code t * k + j}, the permuted row holding its expert output, or
 *     -1 when the assignment was dropped or the token is padding
 * @param weights the router's combine weights {@code [T, k]}
 * @param numTokens T
 * @param droppedAssignments valid (token, choice) assignments dropped by the capacity limit
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
        long droppedAssignments) {

    /** Validates sizes. */
    public DispatchedTokens {
        long rows = 0;
        for (long n : tokensPerLocalExpert) {
            rows += n;
        }
        if (rows != permutedTokens.getShape().get(0) || rows != sourceToken.length) {
            throw new IllegalArgumentException("tokensPerLocalExpert sums to " + rows + " but there are "
                    + permutedTokens.getShape().get(0) + " permuted rows and " + sourceToken.length + " sources");
        }
    }

    /** @return k, the number of choices per token */
    public int topK() {
        return numTokens == 0 ? 0 : combineIndex.length / numTokens;
    }

    /** @return N, the number of permuted rows */
    public int numRows() {
        return sourceToken.length;
    }
}
