package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * A router from the test tree, plugged in the way a user's would be ({@link Provider} is listed in this tree's
 * {@code META-INF/services/org.omnispark.trainer.moe.RouterProvider}): sigmoid scores instead of a softmax, the top k
 * experts by logit, their scores normalized to sum 1 as combine weights, no auxiliary losses.
 */
public final class SigmoidTopKRouter implements Router {

    /** The provider {@link Routers} finds: {@code ffn.router: sigmoid_topk}. */
    public static final class Provider implements RouterProvider {
        @Override
        public String name() {
            return "sigmoid_topk";
        }

        @Override
        public Router create(GateWeight gate, RouterSpec config) {
            return new SigmoidTopKRouter(gate, config.topK());
        }
    }

    private final GateWeight gate;
    private final int k;

    SigmoidTopKRouter(GateWeight gate, int k) {
        this.gate = gate;
        this.k = k;
    }

    @Override
    public RoutingResult route(NDArray hidden, boolean[] validMask, boolean training) {
        int numTokens = Math.toIntExact(hidden.getShape().get(0));
        boolean[] valid = validMask;
        if (valid == null) {
            valid = new boolean[numTokens];
            Arrays.fill(valid, true);
        }
        NDArray logits = gate.logits(hidden); // [T, E]
        if (StagedBackward.recording()) {
            logits = StagedBackward.cut(logits);
        }
        NDArray scores = logits.getNDArrayInternal().sigmoid(); // [T, E]
        NDArray topIdx = logits.topK(k, 1, true, true).get(1); // [T, k]
        long[] top = topIdx.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        NDArray picked = scores.gather(topIdx, 1); // [T, k]
        NDArray weights = picked.div(picked.sum(new int[] {1}, true));
        long[] perExpert = new long[gate.numExperts()];
        int numValid = 0;
        for (int t = 0; t < numTokens; t++) {
            if (valid[t]) {
                numValid++;
                for (int j = 0; j < k; j++) {
                    perExpert[(int) top[t * k + j]]++;
                }
            }
        }
        NDManager scope = hidden.getManager();
        NDArray zero = scope.create(0f).toType(hidden.getDataType(), false);
        return new RoutingResult(logits, logits.softmax(1), top, weights, valid, numValid, perExpert, zero, zero);
    }

    @Override
    public Losses losses(RoutingResult routing, BatchStatistics batch) {
        NDArray zero = routing.logits().getManager().create(0f).toType(routing.logits().getDataType(), false);
        return new Losses(zero, zero);
    }

    @Override
    public int numExperts() {
        return gate.numExperts();
    }

    @Override
    public int topK() {
        return k;
    }

    @Override
    public List<ModelParameter> parameters() {
        return gate.parameters();
    }
}
