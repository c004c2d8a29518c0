package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Batched experts: rows are gathered into a padded {@code [E_local, C, d]} block (C = the largest group), both FFN
 * layers run as ONE batched GEMM each ({@code bmm} against the stacked weights), and the real rows are gathered back.
 *
 * <p>Padding rows repeat row 0 (any real row would do: their outputs are discarded, so they pass no gradient back).
 * The work is {@code E_local * C} rows instead of N: close to N for balanced routing, up to {@code E_local} times more
 * for very skewed routing.
 */
public final class GroupedExperts implements Experts {

    private final ExpertWeights weights;

    /**
     * Creates the experts over the given weights.
     *
     * @param weights the stacked weights
     */
    public GroupedExperts(ExpertWeights weights) {
        this.weights = weights;
    }

    @Override
    public NDArray forward(NDArray permutedTokens, long[] tokensPerLocalExpert) {
        int numLocal = weights.numLocalExperts();
        long rows = Experts.checkCounts(permutedTokens, tokensPerLocalExpert, numLocal);
        NDManager scope = permutedTokens.getManager();
        long d = weights.config().modelDim();
        if (rows == 0) {
            return scope.zeros(new Shape(0, d), permutedTokens.getDataType());
        }
        long capacity = 0;
        for (long n : tokensPerLocalExpert) {
            capacity = Math.max(capacity, n);
        }
        // padIndex[e * C + c] = row of expert e's c-th token, or 0 (a discarded copy) past its count.
        long[] padIndex = new long[Math.toIntExact(numLocal * capacity)];
        long[] unpadIndex = new long[Math.toIntExact(rows)];
        long start = 0;
        for (int e = 0; e < numLocal; e++) {
            long n = tokensPerLocalExpert[e];
            for (long c = 0; c < capacity; c++) {
                padIndex[(int) (e * capacity + c)] = c < n ? start + c : 0;
            }
            for (long c = 0; c < n; c++) {
                unpadIndex[(int) (start + c)] = e * capacity + c;
            }
            start += n;
        }
        NDArray x = RowGather.rows(permutedTokens, padIndex).reshape(numLocal, capacity, d); // [E, C, d]
        NDArray h = Autocast.batchMatMul(x, weights.w1().array()); // [E, C, ffn]
        if (weights.b1() != null) {
            h = h.add(weights.b1().array()); // + [E, 1, ffn]
        }
        h = weights.config().activation().apply(h);
        NDArray y = Autocast.batchMatMul(h, weights.w2().array()); // [E, C, d]
        if (weights.b2() != null) {
            y = y.add(weights.b2().array()); // + [E, 1, d]
        }
        return RowGather.rows(y.reshape(numLocal * capacity, d), unpadIndex); // [N, d]
    }

    @Override
    public ExpertWeights weights() {
        return weights;
    }

    @Override
    public List<ModelParameter> parameters() {
        return weights.parameters();
    }
}
