package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Reference experts: a loop over local experts, each applied to its contiguous block of rows with two GEMMs.
 *
 * <p>The stacked weights and the rows are cut with ONE split each (not one select / slice per expert): the backward
 * of a split is one concatenation, while a per-expert select writes a zero-filled gradient of the whole stack per
 * expert. With large, balanced groups this is fast on CPU (each block is a full-size GEMM); its cost is one small op
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
        int numLocal = tokensPerLocalExpert.length;
        long[] boundaries = new long[numLocal - 1]; // row where expert e + 1 starts
        long start = 0;
        for (int e = 0; e < numLocal - 1; e++) {
            start += tokensPerLocalExpert[e];
            boundaries[e] = start;
        }
        NDList rowsPerExpert = numLocal == 1 ? new NDList(permutedTokens) : permutedTokens.split(boundaries, 0);
        NDList w1 = perExpert(weights.w1().array()); // E_local x [d, ffn]
        NDList b1 = weights.b1() == null ? null : perExpert(weights.b1().array()); // E_local x [1, ffn]
        NDList w2 = perExpert(weights.w2().array()); // E_local x [ffn, d]
        NDList b2 = weights.b2() == null ? null : perExpert(weights.b2().array()); // E_local x [1, d]
        NDList outputs = new NDList();
        for (int e = 0; e < numLocal; e++) {
            if (tokensPerLocalExpert[e] == 0) {
                continue;
            }
            NDArray h = Autocast.matMul(rowsPerExpert.get(e), w1.get(e)); // [n, d] @ [d, ffn] = [n, ffn]
            if (b1 != null) {
                h = h.add(b1.get(e)); // + [1, ffn]
            }
            h = activation.apply(h);
            NDArray y = Autocast.matMul(h, w2.get(e)); // [n, d]
            if (b2 != null) {
                y = y.add(b2.get(e)); // + [1, d]
            }
            outputs.add(y);
        }
        return outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0); // [N, d]
    }

    /** Splits a stacked {@code [E_local, ...]} parameter into E_local views without the leading axis. */
    private static NDList perExpert(NDArray stacked) {
        long numLocal = stacked.getShape().get(0);
        NDList pieces = numLocal == 1 ? new NDList(stacked) : stacked.split(numLocal, 0);
        NDList squeezed = new NDList(pieces.size());
        for (NDArray piece : pieces) {
            squeezed.add(piece.squeeze(0));
        }
        return squeezed;
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
