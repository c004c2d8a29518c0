package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.moe.GateWeight;
import org.omnispark.trainer.moe.MoeRouting;
import org.omnispark.trainer.moe.RouterSpec;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

/** MoE feed-forwards inside the encoder stacks: Omni-router gate sharing, aux losses, dynamic chunks. */
class EncoderMoeTest {

    private static final int D = 16;

    private static FeedForwardSpec expert() {
        return FeedForwardSpec.builder().setModelDim(D).setFfnDim(24).optActivation(FfnActivation.SWISH).build();
    }

    @Test
    void omniRouterConformerSharesOneGateAcrossAllFeedForwardBlocks() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            GateWeight gate = GateWeight.create(m, "router.gate", D, 4, DataType.FLOAT32, 5);
            RouterSpec router = RouterSpec.builder().optTopK(1).optAuxLossCoeff(0.01).build();
            EncoderSpec config = EncoderSpec.builder().setType(EncoderType.CONFORMER).setInputDim(20)
                    .setOutputDim(D).optAttentionHeads(2).optNumBlocks(3).optCnnKernel(5).optDropout(0, 0, 0)
                    .build();
            BaseEncoder encoder = BaseEncoder.create(
                    m, config, FeedForwardFactory.moe(expert(), MoeRouting.shared(gate), router, true), null);

            List<ModelParameter> all = encoder.parameters();
            List<ModelParameter> unique = ParameterCollector.unique(encoder);
            // 3 layers x 2 blocks use the gate: it appears 6 times in parameters() but once in unique()
            assertEquals(all.size() - 5, unique.size(), "the shared gate must be counted once");
            Set<String> names = new HashSet<>();
            for (ModelParameter p : unique) {
                assertTrue(names.add(p.name()), "duplicate parameter name " + p.name());
            }

            NDArray xs = EncoderTestSupport.randn(m, new Shape(2, 31, 20), 4, DataType.FLOAT32);
            EncoderOutput out = encoder.forward(xs, new int[] {31, 23}, true);
            assertEquals(6, out.moeOutputs().size(), "one MoE output per FF block (3 layers x 2)");
            double aux = out.totalAuxLoss().getFloat();
            // Switch aux = 0.01 * E * sum f_i P_i >= 0.01 (equality at perfect balance); 6 blocks -> >= 0.06
            assertTrue(aux >= 0.06 - 1e-6, "aux loss of 6 blocks " + aux);

            // (a LayerNorm output has mean square ~1 whatever the input, so project on random directions instead)
            NDArray proj = EncoderTestSupport.randn(m, out.output().getShape(), 8, DataType.FLOAT32);
            NDArray loss = out.output().mul(proj).sum().add(out.totalAuxLoss());
            EncoderTestSupport.backward(loss);
            double[] gateGrad = EncoderTestSupport.values(gate.weight().gradient());
            EncoderTestSupport.assertNonTrivial(gateGrad, 1e-6, "shared gate gradient");
            double[] firstConv = EncoderTestSupport.values(encoder.embed().convWeights().get(0).gradient());
            EncoderTestSupport.assertNonTrivial(firstConv, 1e-8, "front-end gradient");
        }
    }

    @Test
    void switchTransformerHasOneGatePerLayer() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            MoeRouting routing = MoeRouting.perLayer(m, 2, D, 4, DataType.FLOAT32, 9);
            EncoderSpec config = EncoderSpec.builder().setType(EncoderType.TRANSFORMER).setInputDim(20)
                    .setOutputDim(D).optAttentionHeads(2).optNumBlocks(2).optDropout(0, 0, 0).build();
            BaseEncoder encoder = BaseEncoder.create(m, config,
                    FeedForwardFactory.moe(expert(), routing, RouterSpec.builder().build(), false), null);
            assertEquals(encoder.parameters().size(), ParameterCollector.unique(encoder).size(),
                    "per-layer gates are distinct");
            EncoderOutput out = encoder.forward(
                    EncoderTestSupport.randn(m, new Shape(1, 31, 20), 4, DataType.FLOAT32), new int[] {31}, false);
            assertEquals(2, out.moeOutputs().size());
            assertEquals(new Shape(1, 7, D), out.output().getShape(), "((31-1)/2-1)/2 = 7");
        }
    }

    @Test
    void dynamicChunkTrainingDrawsSeededChoicesPerBatch() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            EncoderSpec config = EncoderSpec.builder().setType(EncoderType.CONFORMER).setInputDim(20)
                    .setOutputDim(D).optAttentionHeads(2).optLinearUnits(16).optNumBlocks(1).optCnnKernel(5)
                    .optCausal(true).optDynamicChunk(true, false).optDropout(0, 0, 0).optSeed(3).build();
            BaseEncoder a = BaseEncoder.create(m, config, null, null);
            BaseEncoder b = BaseEncoder.create(m, config, null, null);
            NDArray xs = EncoderTestSupport.randn(m, new Shape(1, 31, 20), 4, DataType.FLOAT32);
            Set<ChunkMasks.Choice> seen = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                ChunkMasks.Choice ca = a.forward(xs, new int[] {31}, true).chunk();
                ChunkMasks.Choice cb = b.forward(xs, new int[] {31}, true).chunk();
                assertEquals(ca, cb, "same seed, same draws");
                assertTrue(ca.isFullContext() || (ca.chunkSize() >= 1 && ca.chunkSize() <= 25), "choice " + ca);
                seen.add(ca);
            }
            assertTrue(seen.size() > 2, "draws never vary: " + seen);
            assertEquals(ChunkMasks.Choice.FULL, a.forward(xs, new int[] {31}, false).chunk(),
                    "evaluation without a static chunk uses full context");
        }
    }
}
