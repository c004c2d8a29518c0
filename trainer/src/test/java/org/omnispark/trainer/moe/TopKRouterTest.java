package org.omnispark.trainer.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.trainer.moe.MoeTestSupport.assertClose;
import static org.omnispark.trainer.moe.MoeTestSupport.scalar;
import static org.omnispark.trainer.moe.MoeTestSupport.values;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TopKRouterTest {

    /** A gate whose weight is the identity, so logits = hidden. */
    private static GateWeight identityGate(NDManager m, int n) {
        GateWeight gate = GateWeight.create(m, "gate", n, n, DataType.FLOAT64, 1);
        gate.weight().setValue(m.eye(n).toType(DataType.FLOAT64, false));
        return gate;
    }

    @Test
    void auxAndZLossMatchHandComputedValues() {
        try (NDManager m = MoeTestSupport.newManager()) {
            double l3 = Math.log(3);
            // logits = hidden. softmax([ln3, 0]) = [0.75, 0.25]; softmax([0, ln3]) = [0.25, 0.75].
            // Token 4 is padding (it would choose expert 1) and must change nothing.
            NDArray hidden = m.create(new double[] {l3, 0, 0, l3, l3, 0, l3, 0, 0, 5}, new Shape(5, 2));
            boolean[] valid = {true, true, true, true, false};
            TopKRouter router = new TopKRouter(identityGate(m, 2),
                    RouterSpec.builder().optAuxLossCoeff(0.01).optZLossCoeff(0.001).build());
            RoutingResult r = router.route(hidden, valid, true);
            // top-1 choices: 0, 1, 0, 0 -> f = [3/4, 1/4]
            // P = mean probs over valid = [(0.75 + 0.25 + 0.75 + 0.75) / 4, (0.25 + 0.75 + 0.25 + 0.25) / 4]
            //   = [0.625, 0.375]
            // aux = 0.01 * E * sum f_i P_i = 0.01 * 2 * (0.75 * 0.625 + 0.25 * 0.375) = 0.02 * 0.5625 = 0.01125
            assertEquals(0.01125, scalar(r.auxLoss()), 1e-12, "aux = 0.01 * 2 * (0.75*0.625 + 0.25*0.375)");
            // logsumexp([ln3, 0]) = ln(3 + 1) = ln 4 for every valid token: z = 0.001 * (ln 4)^2
            double ln4 = Math.log(4);
            assertEquals(0.001 * ln4 * ln4, scalar(r.zLoss()), 1e-12, "z = 0.001 * ln(4)^2");
            assertArrayEquals(new long[] {3, 1}, r.tokensPerExpert(), "padding token is not counted");
            assertEquals(4, r.numValidTokens());
            assertArrayEquals(new boolean[] {false, false}, r.routingMap()[4], "padding row of routing map empty");
            assertClose(new double[] {0.75, 0.75, 0.75, 0.75, 1 / (1 + Math.exp(-5))}, values(r.weights()), 1e-12,
                    0, "Switch weight = prob of the chosen expert");

            // The same four tokens without the padding token give the same losses.
            RoutingResult unpadded = router.route(hidden.get("0:4"), null, false);
            assertEquals(scalar(r.auxLoss()), scalar(unpadded.auxLoss()), 1e-15, "padding changes aux");
            assertEquals(scalar(r.zLoss()), scalar(unpadded.zLoss()), 1e-15, "padding changes z-loss");
        }
    }

    @Test
    void topKThenSoftmaxNormalizesOverTheSelectedLogits() {
        try (NDManager m = MoeTestSupport.newManager()) {
            NDArray hidden = m.create(new double[] {1, 2, 3, 0.5, -1, 0}, new Shape(2, 3));
            TopKRouter router = new TopKRouter(identityGate(m, 3), RouterSpec.builder().optTopK(2)
                    .optNormalization(RoutingNormalization.TOPK_THEN_SOFTMAX).build());
            RoutingResult r = router.route(hidden, null, false);
            assertArrayEquals(new long[] {2, 1, 0, 2}, r.topIndices(), "top-2 in descending logit order");
            // token 0: softmax([3, 2]) = [e/(e+1), 1/(e+1)]; token 1: softmax([0.5, 0]) = [1/(1+e^-0.5), ...]
            double e = Math.E;
            double a = 1 / (1 + Math.exp(-0.5));
            assertClose(new double[] {e / (e + 1), 1 / (e + 1), a, 1 - a}, values(r.weights()), 1e-12, 0,
                    "softmax over the two selected logits");
        }
    }

    @Test
    void softmaxThenTopKWithRenormalization() {
        try (NDManager m = MoeTestSupport.newManager()) {
            NDArray hidden = m.create(new double[] {1, 2, 3}, new Shape(1, 3));
            RouterSpec plain = RouterSpec.builder().optTopK(2).build();
            RouterSpec renorm = RouterSpec.builder().optTopK(2).optRenormalize(true).build();
            GateWeight gate = identityGate(m, 3);
            double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
            // probs = exp(x) / z; selected experts 2 and 1
            assertClose(new double[] {Math.exp(3) / z, Math.exp(2) / z},
                    values(new TopKRouter(gate, plain).route(hidden, null, false).weights()), 1e-12, 0,
                    "probabilities of the two selected experts");
            // renormalized over the selected k: same as softmax([3, 2])
            assertClose(new double[] {Math.E / (Math.E + 1), 1 / (Math.E + 1)},
                    values(new TopKRouter(gate, renorm).route(hidden, null, false).weights()), 1e-12, 0,
                    "renormalized probabilities");
        }
    }

    @Test
    void jitterOnlyInTrainingAndReproducible() {
        try (NDManager m = MoeTestSupport.newManager()) {
            NDArray hidden = MoeTestSupport.randn(m, new Shape(16, 4), 3, DataType.FLOAT64);
            GateWeight gate = GateWeight.create(m, "gate", 4, 3, DataType.FLOAT64, 9);
            RouterSpec jitter = RouterSpec.builder().optJitterEps(0.1).build();
            double[] clean = values(new TopKRouter(gate, RouterSpec.builder().build())
                    .route(hidden, null, false).logits());
            double[] evalLogits = values(new TopKRouter(gate, jitter).route(hidden, null, false).logits());
            assertClose(clean, evalLogits, 0, 0, "no jitter at evaluation");
            Engine engine = Engine.getEngine("PyTorch");
            engine.setRandomSeed(42);
            double[] first = values(new TopKRouter(gate, jitter).route(hidden, null, true).logits());
            double[] second = values(new TopKRouter(gate, jitter).route(hidden, null, true).logits());
            engine.setRandomSeed(42);
            double[] again = values(new TopKRouter(gate, jitter).route(hidden, null, true).logits());
            assertClose(first, again, 0, 0, "same libtorch seed, same noise");
            assertNotEquals(first[0], second[0], "the next call draws new noise");
            assertNotEquals(clean[0], first[0], "training adds jitter");
            // |x (1 + u) W - x W| <= eps * |x| |W| elementwise bound: logits move by at most 10% of sum |x_j W_jk|
            double[] x = values(hidden);
            double[] w = values(gate.weight().array());
            for (int t = 0; t < 16; t++) {
                for (int e = 0; e < 3; e++) {
                    double bound = 0;
                    for (int j = 0; j < 4; j++) {
                        bound += Math.abs(x[t * 4 + j] * w[j * 3 + e]);
                    }
                    assertTrue(Math.abs(first[t * 3 + e] - clean[t * 3 + e]) <= 0.1 * bound + 1e-12,
                            "jitter larger than eps at token " + t);
                }
            }
        }
    }

    @Test
    void rejectsTopKLargerThanExperts() {
        try (NDManager m = MoeTestSupport.newManager()) {
            GateWeight gate = GateWeight.create(m, "gate", 4, 2, DataType.FLOAT64, 9);
            assertThrows(IllegalArgumentException.class,
                    () -> new TopKRouter(gate, RouterSpec.builder().optTopK(3).build()));
        }
    }
}
