package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;

/**
 * Moves tokens to their experts and expert outputs back (Megatron-Core's TokenDispatcher).
 *
 * <p>{@link #dispatch} returns the tokens the LOCAL experts must process, sorted by local expert; {@link #combine}
 * takes those experts' outputs in the same order and returns the weighted sum over each token's k choices. A
 * distributed implementation does its all-to-all inside these two methods and nowhere else.
 */
public interface TokenDispatcher {

    /**
     * Permutes tokens into expert order (and, distributed, sends them to the ranks owning their experts).
     *
     * @param hidden {@code [T, d]}
     * @param routing the router's decision for the same T tokens
     * @return the rows for the local experts and the bookkeeping for {@link #combine}
     */
    DispatchedTokens dispatch(NDArray hidden, RoutingResult routing);

    /**
     * Un-permutes expert outputs and sums each token's choices weighted by the router's weights. Tokens with no kept
     * assignment (padding, or all choices dropped by the capacity) get 0, i.e. they ride the residual.
     *
     * @param expertOutput {@code [N, d]}, row i the output for {@code dispatched.permutedTokens()} row i
     * @param dispatched what {@link #dispatch} returned
     * @return {@code [T, d]}
     */
    NDArray combine(NDArray expertOutput, DispatchedTokens dispatched);
}
