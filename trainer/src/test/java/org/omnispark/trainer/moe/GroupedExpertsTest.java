package org.omnispark.trainer.moe;

import static org.omnispark.trainer.moe.MoeTestSupport.assertClose;
import static org.omnispark.trainer.moe.MoeTestSupport.gradient;
import static org.omnispark.trainer.moe.MoeTestSupport.values;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

/** SequentialExperts (reference) and GroupedExperts give the same outputs and gradients. */
class GroupedExpertsTest {

    @Test
    void groupedEqualsSequentialOutputsAndGradients() {
        for (FfnActivation activation : FfnActivation.values()) {
            for (boolean bias : new boolean[] {true, false}) {
                compare(activation, bias, new long[] {3, 0, 5, 1}); // uneven, one empty expert
            }
        }
        compare(FfnActivation.GELU, false, new long[] {0, 0, 0, 0}); // nothing routed
    }

    private static void compare(FfnActivation activation, boolean bias, long[] counts) {
        try (NDManager m = MoeTestSupport.newManager()) {
            FeedForwardSpec config = FeedForwardSpec.builder().setModelDim(6).setFfnDim(10)
                    .optActivation(activation).optBias(bias).optDataType(DataType.FLOAT64).build();
            ExpertWeights weights = ExpertWeights.create(m, config, 4, "experts", 17);
            long rows = 0;
            for (long c : counts) {
                rows += c;
            }
            NDArray tokens = MoeTestSupport.randn(m, new Shape(rows, 6), 23, DataType.FLOAT64);
            tokens.setRequiresGradient(true);
            NDArray projection = MoeTestSupport.randn(m, new Shape(rows, 6), 29, DataType.FLOAT64);
            String what = activation + (bias ? " with bias" : " without bias") + " counts " + rows;

            List<double[]> reference = run(new SequentialExperts(weights), tokens, counts, projection, weights);
            List<double[]> grouped = run(new GroupedExperts(weights), tokens, counts, projection, weights);
            for (int i = 0; i < reference.size(); i++) {
                if (rows > 0) {
                    MoeTestSupport.assertNonTrivial(reference.get(i), 1e-3, what + " reference item " + i);
                }
                assertClose(reference.get(i), grouped.get(i), 1e-12, 1e-12, what + " item " + i
                        + " (0 = output, 1 = input gradient, then parameter gradients)");
            }
        }
    }

    /** Output, input gradient and parameter gradients of loss = sum(output * projection). */
    private static List<double[]> run(
            Experts experts, NDArray tokens, long[] counts, NDArray projection, ExpertWeights weights) {
        ParameterCollector.zeroGradients(weights.parameters());
        if (tokens.getShape().get(0) > 0) {
            tokens.getGradient().muli(0);
        }
        NDArray out = experts.forward(tokens, counts);
        List<double[]> result = new ArrayList<>();
        result.add(values(out));
        if (tokens.getShape().get(0) > 0) {
            MoeTestSupport.backward(out.mul(projection).sum());
            result.add(gradient(tokens));
            for (ModelParameter p : weights.parameters()) {
                result.add(gradient(p));
            }
        }
        return result;
    }
}
