package org.omnispark.trainer.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.trainer.moe.MoeTestSupport.assertClose;
import static org.omnispark.trainer.moe.MoeTestSupport.gradient;
import static org.omnispark.trainer.moe.MoeTestSupport.scalar;
import static org.omnispark.trainer.moe.MoeTestSupport.values;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

class MoeEquivalenceTest {

    private static final int D = 6;
    private static final int E = 4;

    /** Runs h = h + moe_i(h) for each layer; loss = sum(h * projection) + sum_i (aux_i + z_i). */
    private static NDArray stackLoss(List<MoeFeedForward> layers, NDArray input, NDArray projection) {
        NDArray h = input;
        NDArray aux = null;
        for (MoeFeedForward layer : layers) {
            MoeOutput out = layer.forward(h, (boolean[]) null, false);
            h = h.add(out.output());
            aux = aux == null ? out.totalAuxLoss() : aux.add(out.totalAuxLoss());
        }
        return h.mul(projection).sum().add(aux);
    }

    @Test
    void omniSharedGateEqualsSwitchWithTiedGatesAndGetsTheSumOfTheirGradients() {
        try (NDManager m = MoeTestSupport.newManager()) {
            FeedForwardSpec ffn = MoeTestSupport.ffn64(D, 8, FfnActivation.RELU, true);
            RouterSpec rc = RouterSpec.builder().optAuxLossCoeff(0.01).optZLossCoeff(0.001).build();
            MoeRouting omni = MoeRouting.shared(GateWeight.create(m, "router.gate", D, E, DataType.FLOAT64, 5));
            MoeRouting switchRouting = MoeRouting.perLayer(m, 3, D, E, DataType.FLOAT64, 100);
            for (int i = 0; i < 3; i++) {
                switchRouting.gateFor(i).weight().setValue(omni.gateFor(0).weight().array());
            }
            List<MoeFeedForward> omniLayers = new ArrayList<>();
            List<MoeFeedForward> switchLayers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                omniLayers.add(MoeTestSupport.moe(m, omni.gateFor(i), rc, ffn, 0, true, "o" + i, 40 + 10 * i));
                switchLayers.add(MoeTestSupport.moe(m, switchRouting.gateFor(i), rc, ffn, 0, true, "s" + i,
                        40 + 10 * i));
            }
            // The optimizer sees the shared gate once: 1 gate + 3 layers * 4 expert tensors.
            List<ModelParameter> omniParams = ParameterCollector.unique(omniLayers);
            assertEquals(13, omniParams.size(), "shared gate counted once");
            assertSame(omni.gateFor(0).weight(), omniParams.get(0));
            assertEquals(15, ParameterCollector.unique(switchLayers).size(), "three separate gates");

            NDArray x = MoeTestSupport.randn(m, new Shape(12, D), 1, DataType.FLOAT64);
            NDArray projection = MoeTestSupport.randn(m, new Shape(12, D), 2, DataType.FLOAT64);
            NDArray xOmni = x.duplicate();
            xOmni.setRequiresGradient(true);
            NDArray lossOmni = stackLoss(omniLayers, xOmni, projection);
            MoeTestSupport.backward(lossOmni);
            NDArray xSwitch = x.duplicate();
            xSwitch.setRequiresGradient(true);
            NDArray lossSwitch = stackLoss(switchLayers, xSwitch, projection);
            MoeTestSupport.backward(lossSwitch);

            assertEquals(scalar(lossSwitch), scalar(lossOmni), 1e-12, "same loss");
            assertClose(gradient(xSwitch), gradient(xOmni), 1e-12, 1e-12, "same input gradient");
            double[] sum = new double[D * E];
            for (int i = 0; i < 3; i++) {
                double[] g = gradient(switchRouting.gateFor(i).weight());
                MoeTestSupport.assertNonTrivial(g, 1e-4, "layer " + i + " gate gradient");
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += g[j];
                }
            }
            assertClose(sum, gradient(omni.gateFor(0).weight()), 1e-12, 1e-10,
                    "shared gate gradient = sum of the tied per-layer gate gradients");
        }
    }

    @Test
    void identicalExpertsEqualTheDenseFeedForward() {
        // Scale: with TOPK_THEN_SOFTMAX and k = 1 the weight is softmax over one logit = 1 exactly; with
        // SOFTMAX_THEN_TOPK + renormalize and k = 1 it is p / p = 1; with k = 2 the two weights sum to 1. In all three
        // cases sum_j w_j * FFN(x) = FFN(x), and the router gets no gradient through the (constant) weight sum.
        RouterSpec[] configs = {
            RouterSpec.builder().optNormalization(RoutingNormalization.TOPK_THEN_SOFTMAX).build(),
            RouterSpec.builder().optRenormalize(true).build(),
            RouterSpec.builder().optTopK(2).optNormalization(RoutingNormalization.TOPK_THEN_SOFTMAX).build()
        };
        for (RouterSpec rc : configs) {
            for (boolean grouped : new boolean[] {false, true}) {
                try (NDManager m = MoeTestSupport.newManager()) {
                    FeedForwardSpec ffn = MoeTestSupport.ffn64(D, 8, FfnActivation.GELU, true);
                    DenseFeedForward dense = DenseFeedForward.create(m, ffn, "dense", 3);
                    MoeFeedForward moe = MoeTestSupport.moe(
                            m, GateWeight.create(m, "gate", D, E, DataType.FLOAT64, 4), rc, ffn, 0, grouped, "moe",
                            77);
                    ExpertWeights w = moe.experts().weights();
                    w.w1().setValue(copies(dense.w1().array()));
                    w.b1().setValue(copies(dense.b1().array().reshape(1, 8)));
                    w.w2().setValue(copies(dense.w2().array()));
                    w.b2().setValue(copies(dense.b2().array().reshape(1, D)));

                    NDArray x = MoeTestSupport.randn(m, new Shape(2, 5, D), 8, DataType.FLOAT64);
                    NDArray projection = MoeTestSupport.randn(m, new Shape(2, 5, D), 9, DataType.FLOAT64);
                    NDArray xd = x.duplicate();
                    xd.setRequiresGradient(true);
                    NDArray yd = dense.forward(xd);
                    MoeTestSupport.backward(yd.mul(projection).sum());
                    NDArray xm = x.duplicate();
                    xm.setRequiresGradient(true);
                    MoeOutput ym = moe.forward(xm, (boolean[]) null, false);
                    MoeTestSupport.backward(ym.output().mul(projection).sum());

                    String what = rc + (grouped ? " grouped" : " sequential");
                    assertEquals(x.getShape(), ym.output().getShape());
                    assertClose(values(yd), values(ym.output()), 1e-12, 1e-12, what + ": output");
                    assertClose(gradient(xd), gradient(xm), 1e-12, 1e-12, what + ": input gradient");
                    assertTrue(ym.routing().tokensPerExpert().length == E);
                }
            }
        }
    }

    private static NDArray copies(NDArray single) {
        NDList list = new NDList();
        for (int i = 0; i < E; i++) {
            list.add(single);
        }
        return NDArrays.stack(list, 0); // [E, ...]
    }

    @Test
    void droplessEqualsACapacityLargeEnoughToDropNothing() {
        try (NDManager m = MoeTestSupport.newManager()) {
            FeedForwardSpec ffn = MoeTestSupport.ffn64(D, 8, FfnActivation.SWISH, true);
            GateWeight gate = GateWeight.create(m, "gate", D, E, DataType.FLOAT64, 4);
            RouterSpec rc = RouterSpec.builder().optTopK(2).optAuxLossCoeff(0.01).build();
            NDArray x = MoeTestSupport.randn(m, new Shape(16, D), 8, DataType.FLOAT64);
            MoeOutput dropless = MoeTestSupport.moe(m, gate, rc, ffn, 0, true, "a", 7).forward(x, (boolean[]) null,
                    false);
            // capacity factor E: capacity = ceil(E * T * k / E) = T * k, more than any expert can receive
            MoeOutput large = MoeTestSupport.moe(m, gate, rc, ffn, E, true, "a", 7).forward(x, (boolean[]) null,
                    false);
            MoeOutput tight = MoeTestSupport.moe(m, gate, rc, ffn, 0.5, true, "a", 7).forward(x, (boolean[]) null,
                    false);
            assertEquals(0, large.droppedAssignments());
            assertClose(values(dropless.output()), values(large.output()), 0, 0, "dropless vs capacity T*k");
            assertEquals(scalar(dropless.auxLoss()), scalar(large.auxLoss()), 0);
            assertTrue(tight.droppedAssignments() > 0, "capacity factor 0.5 must drop something");
            long kept = 0;
            for (long n : tight.dispatched().tokensPerLocalExpert()) {
                assertTrue(n <= 4, "capacity = ceil(0.5 * 16 * 2 / 4) = 4, got " + n);
                kept += n;
            }
            assertEquals(32, kept + tight.droppedAssignments(), "kept + dropped = T * k");
        }
    }

    @Test
    void paddingFramesGetZeroAndChangeNeitherLossNorStatistics() {
        try (NDManager m = MoeTestSupport.newManager()) {
            FeedForwardSpec ffn = MoeTestSupport.ffn64(D, 8, FfnActivation.RELU, true);
            GateWeight gate = GateWeight.create(m, "gate", D, E, DataType.FLOAT64, 4);
            RouterSpec rc = RouterSpec.builder().optTopK(2).optAuxLossCoeff(0.01).optZLossCoeff(0.001).build();
            MoeFeedForward moe = MoeTestSupport.moe(m, gate, rc, ffn, 1.25, false, "a", 7);
            // [B = 2, T = 5, d]; sequence 0 has 5 frames, sequence 1 has 3 (2 padding frames)
            NDArray x = MoeTestSupport.randn(m, new Shape(2, 5, D), 8, DataType.FLOAT64);
            NDArray mask = m.create(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 5));
            MoeOutput padded = moe.forward(x, mask, false);
            // the 8 valid frames alone
            NDArray valid = x.reshape(10, D).get("0:8");
            MoeOutput alone = moe.forward(valid, (boolean[]) null, false);

            double[] out = values(padded.output());
            for (int i = 8 * D; i < 10 * D; i++) {
                assertEquals(0, out[i], 0, "padding output must be 0 at " + i);
            }
            assertClose(values(alone.output()), Arrays.copyOf(out, 8 * D), 1e-14, 1e-14,
                    "valid frames unaffected by padding");
            assertEquals(scalar(alone.auxLoss()), scalar(padded.auxLoss()), 1e-15, "aux loss");
            assertEquals(scalar(alone.zLoss()), scalar(padded.zLoss()), 1e-15, "z-loss");
            assertArrayEquals(alone.tokensPerExpert(), padded.tokensPerExpert(), "routing statistics");
            assertArrayEquals(alone.dispatched().tokensPerLocalExpert(), padded.dispatched().tokensPerLocalExpert(),
                    "capacity is computed from valid frames only");
        }
    }
}
