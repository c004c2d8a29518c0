package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Reference experts: a loop over local experts, each applied to its contiguous block of rows with two GEMMs.
 *
 * <p>With large, balanced groups this is also fast on CPU (each block is a full-size GEMM); its cost is one small op
 * sequence per expert, which matters when groups are small.
 */
public final class SequentialExperts implements Experts {

    private final ExpertWeights weights;

    /**
     * Creates the experts over the given weights.
     *
     * @param weights the stacked weights (may be shared with a {@link GroupedExperts} for testing)
     */
    public SequentialExperts(ExpertWeights weights) {
        this.weights = weights;
    }

    @Override
    public NDArray forward(NDArray permutedTokens, long[] tokensPerLocalExpert) {
        long rows = Experts.checkCounts(permutedTokens, tokensPerLocalExpert, weights.numLocalExperts());
        NDManager scope = permutedTokens.getManager();
        if (rows == 0) {
            return scope.zeros(new Shape(0, weights.config().modelDim()), permutedTokens.getDataType());
        }
        FfnActivation activation = weights.config().activation();
        NDList outputs = new NDList();
        long start = 0;
        for (int e = 0; e < tokensPerLocalExpert.length; e++) {
            long n = tokensPerLocalExpert[e];
            if (n == 0) {
                continue;
            }
            NDArray x = permutedTokens.get(new NDIndex("{}:{}", start, start + n)); // [n, d]
            NDArray h = x.matMul(weights.w1().array().get(scope, e)); // [n, ffn]
            if (weights.b1() != null) {
                h = h.add(weights.b1().array().get(scope, e)); // + [1, ffn]
            }
            h = activation.apply(h);
            NDArray y = h.matMul(weights.w2().array().get(scope, e)); // [n, d]
            if (weights.b2() != null) {
                y = y.add(weights.b2().array().get(scope, e)); // + [1, d]
            }
            outputs.add(y);
            start += n;
        }
        return outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0); // [N, d]
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
