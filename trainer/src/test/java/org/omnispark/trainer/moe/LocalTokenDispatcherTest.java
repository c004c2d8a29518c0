package org.omnispark.trainer.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.omnispark.trainer.moe.MoeTestSupport.assertClose;
import static org.omnispark.trainer.moe.MoeTestSupport.values;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LocalTokenDispatcherTest {

    /** A routing decision written by hand: weights given, no losses. */
    private static RoutingResult routing(
            NDManager m, int numExperts, int k, long[] top, double[] weights, boolean[] valid) {
        int t = valid.length;
        long[] perExpert = new long[numExperts];
        int numValid = 0;
        for (int i = 0; i < t; i++) {
            if (valid[i]) {
                numValid++;
                for (int j = 0; j < k; j++) {
                    perExpert[(int) top[i * k + j]]++;
                }
            }
        }
        NDArray zero = m.create(0.0);
        return new RoutingResult(m.zeros(new Shape(t, numExperts), DataType.FLOAT64),
                m.zeros(new Shape(t, numExperts), DataType.FLOAT64), top, m.create(weights, new Shape(t, k)), valid,
                numValid, perExpert, zero, zero);
    }

    private static boolean[] allValid(int n) {
        boolean[] v = new boolean[n];
        Arrays.fill(v, true);
        return v;
    }

    @Test
    void permuteThenUnpermuteWithIdentityExpertsIsIdentity() {
        try (NDManager m = MoeTestSupport.newManager()) {
            NDArray hidden = MoeTestSupport.randn(m, new Shape(7, 3), 11, DataType.FLOAT64);
            // top-1 with weight 1
            long[] top = {2, 0, 1, 2, 2, 0, 3};
            double[] ones = new double[7];
            Arrays.fill(ones, 1);
            DispatchedTokens d = LocalTokenDispatcher.dropless()
                    .dispatch(hidden, routing(m, 4, 1, top, ones, allValid(7)));
            assertArrayEquals(new long[] {2, 1, 3, 1}, d.tokensPerLocalExpert(), "rows per expert");
            // sorted by expert, token order inside an expert
            assertArrayEquals(new long[] {1, 5, 2, 0, 3, 4, 6}, d.sourceToken(), "source token of each row");
            assertArrayEquals(new long[] {7}, d.inputSplits(), "one local rank sends all rows to itself");
            assertArrayEquals(new long[] {7}, d.outputSplits(), "one local rank receives all rows");
            NDArray back = LocalTokenDispatcher.dropless().combine(d.permutedTokens(), d);
            assertClose(values(hidden), values(back), 0, 0, "top-1 round trip");

            // top-2, weights 0.5 + 0.5 -> identity again
            long[] top2 = {0, 1, 1, 2, 3, 0, 2, 3, 1, 0, 0, 3, 2, 1};
            double[] halves = new double[14];
            Arrays.fill(halves, 0.5);
            DispatchedTokens d2 = LocalTokenDispatcher.dropless()
                    .dispatch(hidden, routing(m, 4, 2, top2, halves, allValid(7)));
            assertEquals(14, d2.numRows());
            NDArray back2 = LocalTokenDispatcher.dropless().combine(d2.permutedTokens(), d2);
            assertClose(values(hidden), values(back2), 1e-15, 1e-15, "top-2 round trip");
        }
    }

    @Test
    void capacityKeepsTheFirstTokensInOrder() {
        try (NDManager m = MoeTestSupport.newManager()) {
            // T = 6, E = 2, k = 1, capacity factor 1.0: capacity = ceil(1.0 * 6 * 1 / 2) = 3.
            // Tokens 0,1,2,3,5 choose expert 0, token 4 expert 1: expert 0 keeps 0,1,2 and drops 3 and 5.
            NDArray hidden = MoeTestSupport.randn(m, new Shape(6, 2), 5, DataType.FLOAT64);
            long[] top = {0, 0, 0, 0, 1, 0};
            double[] ones = {1, 1, 1, 1, 1, 1};
            LocalTokenDispatcher dispatcher = new LocalTokenDispatcher(1.0);
            assertEquals(3, dispatcher.capacity(6, 1, 2), "ceil(1.0 * 6 * 1 / 2)");
            DispatchedTokens d = dispatcher.dispatch(hidden, routing(m, 2, 1, top, ones, allValid(6)));
            assertArrayEquals(new long[] {3, 1}, d.tokensPerLocalExpert(), "expert 0 is capped at 3");
            assertArrayEquals(new long[] {0, 1, 2, 4}, d.sourceToken(), "first three tokens of expert 0 kept");
            assertEquals(2, d.droppedAssignments(), "tokens 3 and 5 dropped");
            assertArrayEquals(new long[] {0, 1, 2, -1, 3, -1}, d.combineIndex());
            double[] out = values(dispatcher.combine(d.permutedTokens(), d));
            double[] in = values(hidden);
            for (int t = 0; t < 6; t++) {
                boolean dropped = t == 3 || t == 5;
                for (int c = 0; c < 2; c++) {
                    assertEquals(dropped ? 0 : in[t * 2 + c], out[t * 2 + c], 0,
                            "token " + t + (dropped ? " was dropped: rides the residual (0)" : " kept"));
                }
            }
        }
    }

    @Test
    void capacityWithTopTwoDropsPerAssignmentInTokenOrder() {
        try (NDManager m = MoeTestSupport.newManager()) {
            // T = 4, E = 2, k = 2, cf = 0.5: capacity = ceil(0.5 * 4 * 2 / 2) = 2 per expert.
            // Every token chooses both experts: tokens 0 and 1 keep both choices, tokens 2 and 3 lose both.
            // Token 0's weights are 0.7 / 0.3 so its output is hidden[0] * (0.7 + 0.3).
            NDArray hidden = MoeTestSupport.randn(m, new Shape(4, 2), 6, DataType.FLOAT64);
            long[] top = {0, 1, 1, 0, 0, 1, 1, 0};
            double[] w = {0.7, 0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
            LocalTokenDispatcher dispatcher = new LocalTokenDispatcher(0.5);
            DispatchedTokens d = dispatcher.dispatch(hidden, routing(m, 2, 2, top, w, allValid(4)));
            assertArrayEquals(new long[] {2, 2}, d.tokensPerLocalExpert());
            assertEquals(4, d.droppedAssignments());
            double[] out = values(dispatcher.combine(d.permutedTokens(), d));
            double[] in = values(hidden);
            assertClose(new double[] {in[0], in[1], in[2], in[3], 0, 0, 0, 0}, out, 1e-15, 1e-15,
                    "tokens 0,1 pass through, tokens 2,3 dropped");
        }
    }

    @Test
    void paddingTokensAreNotDispatched() {
        try (NDManager m = MoeTestSupport.newManager()) {
            NDArray hidden = MoeTestSupport.randn(m, new Shape(5, 2), 7, DataType.FLOAT64);
            long[] top = {1, 0, 1, 1, 0};
            boolean[] valid = {true, true, false, true, false};
            DispatchedTokens d = LocalTokenDispatcher.dropless()
                    .dispatch(hidden, routing(m, 2, 1, top, new double[] {1, 1, 1, 1, 1}, valid));
            assertArrayEquals(new long[] {1, 2}, d.tokensPerLocalExpert(), "only valid tokens are routed");
            assertArrayEquals(new long[] {1, 0, 3}, d.sourceToken());
            double[] out = values(LocalTokenDispatcher.dropless().combine(d.permutedTokens(), d));
            assertEquals(0, out[4], 0, "padding token 2 gets 0");
            assertEquals(0, out[9], 0, "padding token 4 gets 0");
        }
    }
}
