package org.omnispark.trainer.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.omnispark.trainer.moe.MoeTestSupport.assertClose;
import static org.omnispark.trainer.moe.MoeTestSupport.assertNonTrivial;
import static org.omnispark.trainer.moe.MoeTestSupport.gradient;
import static org.omnispark.trainer.moe.MoeTestSupport.scalar;
import static org.omnispark.trainer.moe.MoeTestSupport.values;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

/**
 * The every-expert path computes the dispatched path's function (outputs, losses and every gradient), and the layer
 * takes it only at inference, for few tokens, when nothing is dropped.
 */
class EveryExpertMixtureTest {

    private static final int D = 6;
    private static final int E = 4;
    private static final int T = 10;

    /** One run's loss, input gradient and parameter gradients (then zeroed: the layers share parameters). */
    private record Run(double loss, double[] output, double[] inputGradient, List<double[]> parameterGradients) {}

    /** The layer's dispatched path with autograd on (training always dispatches). */
    private static Run dispatched(MoeFeedForward layer, NDArray x, boolean[] valid, NDArray projection) {
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        MoeOutput out = layer.forward(input, valid, true);
        return backward(out.output(), out.totalAuxLoss(), input, projection, layer.parameters());
    }

    /** EveryExpertMixture called directly on the same router's decisions, autograd on. */
    private static Run everyExpert(MoeFeedForward layer, NDArray x, boolean[] valid, NDArray projection) {
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        RoutingResult routing = layer.router().route(input, valid, true);
        NDArray out = EveryExpertMixture.forward(input, routing, layer.experts().weights());
        return backward(out, routing.auxLoss().add(routing.zLoss()), input, projection, layer.parameters());
    }

    private static Run backward(NDArray output, NDArray aux, NDArray input, NDArray projection,
            List<ModelParameter> parameters) {
        NDArray loss = output.mul(projection).sum().add(aux);
        MoeTestSupport.backward(loss);
        List<double[]> grads = new ArrayList<>();
        for (ModelParameter p : parameters) {
            grads.add(gradient(p));
        }
        ParameterCollector.zeroGradients(parameters);
        return new Run(scalar(loss), values(output), gradient(input), grads);
    }

    /** Runs a forward pass without autograd (inference), as a decoder does. */
    private static MoeOutput infer(MoeFeedForward layer, NDArray x) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return layer.forward(x, (boolean[]) null, false);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private static MoeFeedForward layer(GateWeight gate, RouterSpec router, ExpertWeights weights, long maxTokens,
            double capacityFactor) {
        return MoeFeedForward.builder().setRouter(new TopKRouter(gate, router))
                .setExperts(new SequentialExperts(weights)).optDispatcher(new LocalTokenDispatcher(capacityFactor))
                .optEveryExpertMaxTokens(maxTokens).build();
    }

    @Test
    void sameOutputLossesAndGradientsAsTheDispatchedPath() {
        boolean[] someInvalid = {true, true, false, true, true, true, false, true, true, true};
        for (int topK : new int[] {1, 2}) {
            for (RoutingNormalization normalization : RoutingNormalization.values()) {
                for (FfnActivation activation : FfnActivation.values()) {
                    for (boolean bias : new boolean[] {true, false}) {
                        for (boolean[] valid : new boolean[][] {null, someInvalid}) {
                            String what = "top-" + topK + " " + normalization + " " + activation + " bias " + bias
                                    + (valid == null ? "" : " with padding");
                            compare(topK, normalization, activation, bias, valid, what);
                        }
                    }
                }
            }
        }
    }

    private static void compare(int topK, RoutingNormalization normalization, FfnActivation activation,
            boolean bias, boolean[] valid, String what) {
        try (NDManager m = MoeTestSupport.newManager()) {
            GateWeight gate = GateWeight.create(m, "gate", D, E, DataType.FLOAT64, 5);
            ExpertWeights weights = ExpertWeights.create(m, MoeTestSupport.ffn64(D, 8, activation, bias), E,
                    "experts", 11);
            RouterSpec router = RouterSpec.builder().optTopK(topK).optNormalization(normalization)
                    .optAuxLossCoeff(0.01).optZLossCoeff(0.001).build();
            NDArray x = MoeTestSupport.randn(m, new Shape(T, D), 1, DataType.FLOAT64);
            NDArray projection = MoeTestSupport.randn(m, new Shape(T, D), 2, DataType.FLOAT64);
            MoeFeedForward layer = layer(gate, router, weights, 0, 0);
            Run dispatched = dispatched(layer, x, valid, projection);
            Run every = everyExpert(layer, x, valid, projection);
            assertEquals(dispatched.loss(), every.loss(), 1e-12, what + ": loss");
            assertClose(dispatched.output(), every.output(), 1e-12, 1e-12, what + ": output");
            assertNonTrivial(every.output(), 1e-3, what + ": output");
            assertClose(dispatched.inputGradient(), every.inputGradient(), 1e-12, 1e-12, what + ": input gradient");
            for (int i = 0; i < dispatched.parameterGradients().size(); i++) {
                assertClose(dispatched.parameterGradients().get(i), every.parameterGradients().get(i), 1e-12,
                        1e-12, what + ": gradient of parameter " + i + " (gate, then w1, b1, w2, b2)");
                assertNonTrivial(every.parameterGradients().get(i), 1e-6, what + ": gradient " + i);
            }
            if (valid != null) {
                for (int c = 0; c < D; c++) {
                    assertEquals(0.0, every.output()[2 * D + c], what + ": a padding token gets 0");
                }
            }
        }
    }

    @Test
    void theLayerRunsEveryExpertOnlyAtInferenceForFewTokensWithoutDrops() {
        try (NDManager m = MoeTestSupport.newManager()) {
            GateWeight gate = GateWeight.create(m, "gate", D, E, DataType.FLOAT64, 5);
            ExpertWeights weights = ExpertWeights.create(m, MoeTestSupport.ffn64(D, 8, FfnActivation.SWISH, true),
                    E, "experts", 11);
            RouterSpec router = RouterSpec.builder().build();
            NDArray x = MoeTestSupport.randn(m, new Shape(T, D), 1, DataType.FLOAT64);
            MoeOutput every = infer(layer(gate, router, weights, T, 0), x);
            assertNull(every.dispatched(), "T = threshold, no autograd: every expert");
            assertEquals(0, every.droppedAssignments());
            assertNotNull(infer(layer(gate, router, weights, T - 1, 0), x).dispatched(), "one token over the threshold");
            assertNotNull(layer(gate, router, weights, T, 0).forward(x, (boolean[]) null, true).dispatched(),
                    "with autograd recording (training) the layer dispatches");
            MoeOutput tight = infer(layer(gate, router, weights, Long.MAX_VALUE, 0.5), x);
            assertTrue(tight.droppedAssignments() > 0, "capacity factor 0.5 drops");
            assertNotNull(tight.dispatched(), "a dropping layer dispatches, whatever the threshold");
            MoeOutput reference = infer(layer(gate, router, weights, 0, 0.5), x);
            assertClose(values(reference.output()), values(tight.output()), 0, 0, "dropping output unchanged");
            // [B, T, d] input: same rows as the flat one
            MoeOutput batched = infer(layer(gate, router, weights, T, 0), x.reshape(2, T / 2, D));
            assertNull(batched.dispatched());
            assertEquals(new Shape(2, T / 2, D), batched.output().getShape());
            assertClose(values(infer(layer(gate, router, weights, 0, 0), x).output()), values(batched.output()),
                    1e-12, 1e-12, "[B, T, d]");
        }
    }

    @Test
    void underBf16AutocastBothPathsRoundTheSameOperands() {
        try (NDManager m = MoeTestSupport.newManager()) {
            FeedForwardSpec ffn = FeedForwardSpec.builder().setModelDim(16).setFfnDim(32)
                    .optActivation(FfnActivation.SWISH).build(); // float32
            GateWeight gate = GateWeight.create(m, "gate", 16, E, DataType.FLOAT32, 5);
            ExpertWeights weights = ExpertWeights.create(m, ffn, E, "experts", 11);
            RouterSpec router = RouterSpec.builder().optTopK(2).build();
            NDArray x = MoeTestSupport.randn(m, new Shape(12, 16), 1, DataType.FLOAT32);
            double[] fp32 = values(infer(layer(gate, router, weights, 0, 0), x).output());
            double[] dispatched;
            double[] every;
            try (Autocast bf16 = Autocast.enable(DataType.BFLOAT16)) {
                dispatched = values(infer(layer(gate, router, weights, 0, 0), x).output());
                MoeOutput out = infer(layer(gate, router, weights, 1000, 0), x);
                assertNull(out.dispatched());
                every = values(out.output());
            }
            assertClose(dispatched, every, 1e-5, 1e-4, "bf16 GEMMs on both paths");
            double maxDiff = 0;
            for (int i = 0; i < fp32.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(fp32[i] - every[i]));
            }
            assertTrue(maxDiff > 1e-5, "the every-expert path really ran in bf16 (differs from fp32 by " + maxDiff
                    + ")");
        }
    }
}
