package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * The local experts of an MoE layer (Megatron-Core's Experts): FFNs applied to rows already grouped by expert.
 *
 * <p>Implementations hold their weights as stacked tensors ({@link ExpertWeights}) covering the contiguous slice
 * {@code [localExpertOffset, localExpertOffset + numLocalExperts)} of the global experts.
 */
public interface Experts extends ParameterOwner {

    /**
     * Applies each local expert to its rows.
     *
     * @param permutedTokens {@code [N, d]}, rows grouped by local expert in expert order
     * @param tokensPerLocalExpert rows per local expert, length numLocalExperts, summing to N
     * @return {@code [N, d]}, row i the output of the expert that row i belongs to
     */
    NDArray forward(NDArray permutedTokens, long[] tokensPerLocalExpert);

    /** @return the stacked weights */
    ExpertWeights weights();

    /** @return the number of experts held here */
    default int numLocalExperts() {
        return weights().numLocalExperts();
    }

    /** @return the global index of the first local expert */
    default int localExpertOffset() {
        return weights().localExpertOffset();
    }

    /**
     * Checks the row counts against the rows.
     *
     * @param permutedTokens {@code [N, d]}
     * @param tokensPerLocalExpert counts
     * @param numLocalExperts expected length of counts
     * @return N
     */
    static long checkCounts(NDArray permutedTokens, long[] tokensPerLocalExpert, int numLocalExperts) {
        if (tokensPerLocalExpert.length != numLocalExperts) {
            throw new IllegalArgumentException("Got " + tokensPerLocalExpert.length + " token counts for "
                    + numLocalExperts + " local experts; pass DispatchedTokens.tokensPerLocalExpert()");
        }
        long total = 0;
        for (long n : tokensPerLocalExpert) {
            if (n < 0) {
                throw new IllegalArgumentException("Negative token count " + n);
            }
            total += n;
        }
        if (total != permutedTokens.getShape().get(0)) {
            throw new IllegalArgumentException("Token counts sum to " + total + " but there are "
                    + permutedTokens.getShape().get(0) + " rows");
        }
        return total;
    }
}
