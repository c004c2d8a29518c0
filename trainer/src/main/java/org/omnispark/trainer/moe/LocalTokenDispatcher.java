package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

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
        if (capacityFactor <= 0) {
            return Long.MAX_VALUE;
        }
        return (long) Math.ceil(capacityFactor * numValidTokens * topK / numExperts);
    }

    @Override
    public DispatchedTokens dispatch(NDArray hidden, RoutingResult routing) {
        int numTokens = routing.numTokens();
        int k = routing.topK();
        int numExperts = routing.numExperts();
        if (hidden.getShape().dimension() != 2 || hidden.getShape().get(0) != numTokens) {
            throw new IllegalArgumentException(
                    "dispatch expects hidden [" + numTokens + ", d] like the routing, got " + hidden.getShape());
        }
        long cap = capacity(routing.numValidTokens(), k, numExperts);
        long[] top = routing.topIndices();
        boolean[] valid = routing.validMask();

        long[] kept = new long[numExperts];
        boolean[] keep = new boolean[numTokens * k];
        long dropped = 0;
        for (int t = 0; t < numTokens; t++) {
            if (!valid[t]) {
                continue;
            }
            for (int j = 0; j < k; j++) {
                int e = (int) top[t * k + j];
                if (kept[e] < cap) {
                    kept[e]++;
                    keep[t * k + j] = true;
                } else {
                    dropped++;
                }
            }
        }
        long[] cursor = new long[numExperts];
        long rows = 0;
        for (int e = 0; e < numExperts; e++) {
            cursor[e] = rows;
            rows += kept[e];
        }
        long[] sourceToken = new long[Math.toIntExact(rows)];
        long[] combineIndex = new long[numTokens * k];
        for (int a = 0; a < combineIndex.length; a++) {
            if (keep[a]) {
                int e = (int) top[a];
                long row = cursor[e]++;
                combineIndex[a] = row;
                sourceToken[(int) row] = a / k;
            } else {
                combineIndex[a] = -1;
            }
        }
        NDManager scope = hidden.getManager();
        NDArray permuted = rows == 0
                ? scope.zeros(new Shape(0, hidden.getShape().get(1)), hidden.getDataType())
                : RowGather.rows(hidden, sourceToken); // [N, d]
        long[] splits = {rows};
        return new DispatchedTokens(
                permuted, kept.clone(), kept, splits, splits.clone(), sourceToken, combineIndex,
                routing.weights(), numTokens, dropped);
    }

    @Override
    public NDArray combine(NDArray expertOutput, DispatchedTokens dispatched) {
        int numRows = dispatched.numRows();
        long d = expertOutput.getShape().get(1);
        if (expertOutput.getShape().get(0) != numRows) {
            throw new IllegalArgumentException("combine expects " + numRows + " expert output rows (one per permuted"
                    + " token), got " + expertOutput.getShape());
        }
        NDManager scope = expertOutput.getManager();
        int numTokens = dispatched.numTokens();
        int k = dispatched.topK();
        long[] index = dispatched.combineIndex().clone();
        boolean anyDropped = false;
        for (int a = 0; a < index.length; a++) {
            if (index[a] < 0) {
                index[a] = numRows; // dropped and padding assignments read the zero row appended below
                anyDropped = true;
            }
        }
        NDArray source = anyDropped
                ? expertOutput.concat(scope.zeros(new Shape(1, d), expertOutput.getDataType()), 0) // [N + 1, d]
                : expertOutput;
        NDArray gathered = RowGather.rows(source, index); // [T * k, d]
        NDArray weights = dispatched.weights(); // [T, k]
        if (k == 1) {
            return gathered.mul(weights); // [T, d] * [T, 1]
        }
        return gathered.reshape(numTokens, k, d).mul(weights.expandDims(2)).sum(new int[] {1}); // [T, d]
    }

    /** @return the capacity factor ({@code <= 0}: dropless) */
    public double capacityFactor() {
        return capacityFactor;
    }
}
