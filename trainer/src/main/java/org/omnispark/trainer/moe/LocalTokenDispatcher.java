package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;

/**
 * Single-process dispatcher: every expert is local, so dispatch is a gather of token rows into expert order and
 * combine is the reverse gather plus the weighted sum over the k choices.
 *
 * <p>Capacity: with {@code capacityFactor > 0}, each expert takes at most {@code ceil(capacityFactor * T * k / E)}
 * assignments, where T counts valid (non-padding) tokens. Assignments are visited in token order (t, then choice j)
 * and the overflow is dropped; a token whose every choice was dropped gets 0 from the MoE layer and rides the
 * residual. With {@code capacityFactor <= 0} the dispatcher is dropless.
 *
 * <p>Both gathers are differentiable (their backward is a scatter-add), so gradients reach the tokens, the expert
 * outputs and the router weights.
 */
public final class LocalTokenDispatcher implements TokenDispatcher {

    private final double capacityFactor;

    /**
     * Creates a dispatcher.
     *
     * @param capacityFactor capacity factor, or {@code <= 0} for dropless
     */
    public LocalTokenDispatcher(double capacityFactor) {
        if (Double.isNaN(capacityFactor)) {
            throw new IllegalArgumentException("capacityFactor is NaN; pass 0 for dropless");
        }
        this.capacityFactor = capacityFactor;
    }

    /** @return a dropless dispatcher */
    public static LocalTokenDispatcher dropless() {
        return new LocalTokenDispatcher(0);
    }

    /**
     * Returns the per-expert capacity for a batch.
     *
     * @param numValidTokens T (valid tokens)
     * @param topK k
     * @param numExperts E
     * @return {@code ceil(capacityFactor * T * k / E)}, or Long.MAX_VALUE when dropless
     */
    public long capacity(int numValidTokens, int topK, int numExperts) {
        return TokenPermutation.capacity(capacityFactor, numValidTokens, topK, numExperts);
    }

    @Override
    public DispatchedTokens dispatch(NDArray hidden, RoutingResult routing) {
        int numTokens = routing.numTokens();
        int numExperts = routing.numExperts();
        if (hidden.getShape().dimension() != 2 || hidden.getShape().get(0) != numTokens) {
            throw new IllegalArgumentException(
                    "dispatch expects hidden [" + numTokens + ", d] like the routing, got " + hidden.getShape());
        }
        long[] room = new long[numExperts];
        java.util.Arrays.fill(room, capacity(routing.numValidTokens(), routing.topK(), numExperts));
        TokenPermutation.Plan plan = TokenPermutation.plan(routing, room);
        NDArray permuted = TokenPermutation.permute(hidden, plan.sourceToken()); // [N, d]
        long[] kept = plan.keptPerExpert();
        long[] splits = {plan.sourceToken().length};
        return new DispatchedTokens(permuted, kept.clone(), kept, splits, splits.clone(), plan.sourceToken(),
                plan.combineIndex(), routing.weights(), numTokens, plan.dropped(), BatchStatistics.of(routing), null);
    }

    @Override
    public NDArray combine(NDArray expertOutput, DispatchedTokens dispatched) {
        if (expertOutput.getShape().get(0) != dispatched.numRows()) {
            throw new IllegalArgumentException("combine expects " + dispatched.numRows() + " expert output rows (one"
                    + " per permuted token), got " + expertOutput.getShape());
        }
        return TokenPermutation.unpermute(expertOutput, dispatched.combineIndex(), dispatched.weights(),
                dispatched.numTokens()); // [T, d]
    }

    /** @return the capacity factor ({@code <= 0}: dropless) */
    public double capacityFactor() {
        return capacityFactor;
    }
}
