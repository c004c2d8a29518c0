package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;

/**
 * What a {@link Router} decided for T tokens.
 *
 * <p>Padding tokens (validMask false) are not routed: their routing-map row is all false, they are not counted in
 * {@code tokensPerExpert}, and they take no part in the losses.
 *
 * @param logits gate logits {@code [T, E]}
 * @param probs softmax over all E logits {@code [T, E]} (the P of the load-balancing loss)
 * @param topIndices the selected experts per token, host copy, row-major {@code [T, k]}
 * @param weights combine weight of each selected expert {@code [T, k]} (differentiable)
 * @param validMask true for real tokens, length T
 * @param numValidTokens number of true entries in validMask
 * @param tokensPerExpert (token, choice) assignments per expert among valid tokens, before any capacity drop
 * @param auxLoss Switch load-balancing loss over these T tokens (scalar, 0 when disabled)
 * @param zLoss router z-loss over these T tokens (scalar, 0 when disabled)
 */
public record RoutingResult(
        NDArray logits,
        NDArray probs,
        long[] topIndices,
        NDArray weights,
        boolean[] validMask,
        int numValidTokens,
        long[] tokensPerExpert,
        NDArray auxLoss,
        NDArray zLoss) {

    /** Validates sizes. */
    public RoutingResult {
        long numTokens = logits.getShape().get(0);
        if (validMask.length != numTokens || topIndices.length % Math.max(1, validMask.length) != 0) {
            throw new IllegalArgumentException("validMask has " + validMask.length + " entries and topIndices "
                    + topIndices.length + " but there are " + numTokens + " tokens");
        }
    }

    /** @return T */
    public int numTokens() {
        return validMask.length;
    }

    /** @return k */
    public int topK() {
        return validMask.length == 0 ? 0 : topIndices.length / validMask.length;
    }

    /** @return E */
    public int numExperts() {
        return tokensPerExpert.length;
    }

    /**
     * Builds the routing map: which experts each valid token goes to.
     *
     * @return {@code [T][E]}, true where token t is routed to expert e
     */
    public boolean[][] routingMap() {
        int k = topK();
        boolean[][] map = new boolean[numTokens()][numExperts()];
        for (int t = 0; t < numTokens(); t++) {
            if (validMask[t]) {
                for (int j = 0; j < k; j++) {
                    map[t][(int) topIndices[t * k + j]] = true;
                }
            }
        }
        return map;
    }
}
