package org.omnispark.trainer.moe;

import static org.omnispark.trainer.moe.MoeTestSupport.assertClose;
import static org.omnispark.trainer.moe.MoeTestSupport.gradient;
import static org.omnispark.trainer.moe.MoeTestSupport.pick;
import static org.omnispark.trainer.moe.MoeTestSupport.sampleEntries;
import static org.omnispark.trainer.moe.MoeTestSupport.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Finite-difference checks in float64: central differences with h = 1e-6 against libtorch autograd. Routing is
 * piecewise constant in the inputs; the seeds are chosen so no perturbation flips a top-k choice (a flip would show as
 * a large mismatch, not a small one).
 */
class MoeGradientCheckTest {

    private static final double H = 1e-6;
    private static final double ATOL = 1e-7;
    private static final double RTOL = 1e-5;
    private static final int D = 6;
    private static final int E = 4;

    @Test
    void topTwoWenetStyleLayer() {
        check(RouterSpec.builder().optTopK(2).optNormalization(RoutingNormalization.TOPK_THEN_SOFTMAX)
                .optAuxLossCoeff(0.01).optZLossCoeff(0.001).build(), FfnActivation.GELU, 0);
    }

    @Test
    void topOneSwitchLayerWithCapacityDropping() {
        check(RouterSpec.builder().optAuxLossCoeff(0.01).optZLossCoeff(0.001).build(), FfnActivation.SWISH, 1.0);
    }

    private static void check(RouterSpec rc, FfnActivation activation, double capacityFactor) {
        try (NDManager m = MoeTestSupport.newManager()) {
            FeedForwardSpec ffn = MoeTestSupport.ffn64(D, 8, activation, true);
            GateWeight gate = GateWeight.create(m, "gate", D, E, DataType.FLOAT64, 4);
            MoeFeedForward moe = MoeTestSupport.moe(m, gate, rc, ffn, capacityFactor, true, "moe", 7);
            NDArray x = MoeTestSupport.randn(m, new Shape(10, D), 8, DataType.FLOAT64);
            x.setRequiresGradient(true);
            NDArray projection = MoeTestSupport.randn(m, new Shape(10, D), 9, DataType.FLOAT64);
            // loss = sum(output * projection) + aux + z
            DoubleSupplier loss = () -> {
                try (NDManager step = m.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(step);
                    MoeOutput out = moe.forward(xs, (boolean[]) null, false);
                    return scalar(out.output().mul(projection).sum().add(out.totalAuxLoss()));
                }
            };
            MoeOutput out = moe.forward(x, (boolean[]) null, false);
            MoeTestSupport.backward(out.output().mul(projection).sum().add(out.totalAuxLoss()));

            for (ModelParameter p : List.of(gate.weight(), moe.experts().weights().w1(),
                    moe.experts().weights().b1(), moe.experts().weights().w2(), moe.experts().weights().b2())) {
                int[] entries = sampleEntries(p.array().getShape().size(), 6);
                double[] autograd = pick(gradient(p), entries);
                MoeTestSupport.assertNonTrivial(autograd, 1e-5, p.name() + " gradient");
                assertClose(MoeTestSupport.finiteDifferences(p, entries, H, loss), autograd, ATOL, RTOL,
                        rc.normalization() + " k=" + rc.topK() + " d loss / d " + p.name());
            }
            // input: perturb x directly (it is a leaf, not a parameter)
            double[] autogradX = gradient(x);
            ModelParameter xAsParameter = new ModelParameter("x", x, false);
            int[] entries = sampleEntries(x.getShape().size(), 10);
            assertClose(MoeTestSupport.finiteDifferences(xAsParameter, entries, H, loss), pick(autogradX, entries),
                    ATOL, RTOL, "d loss / d input");
        }
    }

    @Test
    void loadBalancingLossWithRespectToTheGate() {
        // aux = E * sum_i f_i P_i: f_i is locally constant, so only P_i = mean softmax carries a gradient.
        try (NDManager m = MoeTestSupport.newManager()) {
            GateWeight gate = GateWeight.create(m, "gate", D, E, DataType.FLOAT64, 14);
            TopKRouter router = new TopKRouter(gate, RouterSpec.builder().optTopK(2).optAuxLossCoeff(1).build());
            NDArray x = MoeTestSupport.randn(m, new Shape(20, D), 18, DataType.FLOAT64);
            MoeTestSupport.backward(router.route(x, null, false).auxLoss());
            int[] entries = sampleEntries(D * E, 12);
            double[] autograd = pick(gradient(gate.weight()), entries);
            MoeTestSupport.assertNonTrivial(autograd, 1e-4, "aux gradient");
            assertClose(MoeTestSupport.finiteDifferences(gate.weight(), entries, H,
                    () -> scalar(router.route(x, null, false).auxLoss())), autograd, ATOL, RTOL, "d aux / d gate");
        }
    }

    @Test
    void sharedRouterInAThreeLayerStack() {
        // h_{i+1} = h_i + MoE_i(h_i), all three routers on ONE gate; loss = sum(h_3 * R) + sum_i aux_i
        try (NDManager m = MoeTestSupport.newManager()) {
            FeedForwardSpec ffn = MoeTestSupport.ffn64(D, 8, FfnActivation.RELU, true);
            MoeRouting routing = MoeRouting.shared(GateWeight.create(m, "router.gate", D, E, DataType.FLOAT64, 5));
            RouterSpec rc = RouterSpec.builder().optAuxLossCoeff(0.01).build();
            List<MoeFeedForward> layers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                layers.add(MoeTestSupport.moe(m, routing.gateFor(i), rc, ffn, 0, false, "l" + i, 50 + 10 * i));
            }
            NDArray x = MoeTestSupport.randn(m, new Shape(12, D), 1, DataType.FLOAT64);
            NDArray projection = MoeTestSupport.randn(m, new Shape(12, D), 2, DataType.FLOAT64);
            DoubleSupplier loss = () -> {
                try (NDManager step = m.newSubManager()) {
                    NDArray h = x.duplicate();
                    h.attach(step);
                    NDArray aux = step.create(0.0);
                    for (MoeFeedForward layer : layers) {
                        MoeOutput out = layer.forward(h, (boolean[]) null, false);
                        h = h.add(out.output());
                        aux = aux.add(out.auxLoss());
                    }
                    return scalar(h.mul(projection).sum().add(aux));
                }
            };
            NDArray h = x;
            NDArray aux = m.create(0.0);
            for (MoeFeedForward layer : layers) {
                MoeOutput out = layer.forward(h, (boolean[]) null, false);
                h = h.add(out.output());
                aux = aux.add(out.auxLoss());
            }
            MoeTestSupport.backward(h.mul(projection).sum().add(aux));
            ModelParameter shared = routing.gateFor(0).weight();
            int[] entries = sampleEntries(D * E, 12);
            double[] autograd = pick(gradient(shared), entries);
            MoeTestSupport.assertNonTrivial(autograd, 1e-4, "shared gate gradient");
            assertClose(MoeTestSupport.finiteDifferences(shared, entries, H, loss), autograd, ATOL, RTOL,
                    "d loss / d shared gate");
        }
    }
}
