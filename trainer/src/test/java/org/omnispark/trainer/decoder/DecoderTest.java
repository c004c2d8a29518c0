package org.omnispark.trainer.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.encoder.FeedForwardFactory;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.GateWeight;
import org.omnispark.trainer.moe.MoeRouting;
import org.omnispark.trainer.moe.RouterSpec;
import org.omnispark.trainer.nn.ParameterCollector;

/** Target preparation, the hybrid loss, and properties of the (bi)directional decoders. */
class DecoderTest {

    static {
        Engine.getEngine("PyTorch");
    }

    /** WeNet example: y = [[1, 2, 3], [4, 5]], sos = eos = 9, ignore -1. */
    @Test
    void targetPreparationAddsSosEosAndReverses() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray ys = m.create(new long[] {1, 2, 3, 4, 5, -1}, new Shape(2, 3));
            PreparedTargets t = TargetPreparation.forVocabulary(10).prepare(ys, m.create(new long[] {3, 2}));
            assertArrayEquals(new long[] {9, 1, 2, 3, 9, 4, 5, 9}, t.ysIn().toLongArray(), "ysIn padded with eos");
            assertArrayEquals(new long[] {1, 2, 3, 9, 4, 5, 9, -1}, t.ysOut().toLongArray(), "ysOut padded with -1");
            assertArrayEquals(new long[] {4, 3}, t.ysInLengths().toLongArray());
            assertArrayEquals(new long[] {9, 3, 2, 1, 9, 5, 4, 9}, t.reverseYsIn().toLongArray());
            assertArrayEquals(new long[] {3, 2, 1, 9, 5, 4, 9, -1}, t.reverseYsOut().toLongArray());
        }
    }

    /** 0.3 * 2 + 0.7 * (0.7 * 4 + 0.3 * 6) = 0.6 + 0.7 * 4.6 = 3.82. */
    @Test
    void hybridLossWeights() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray loss = HybridLoss.u2pp().combine(m.create(2.0), m.create(4.0), m.create(6.0));
            assertEquals(3.82, loss.toDoubleArray()[0], 1e-12);
            assertEquals(4.0, new HybridLoss(0, 0).combine(null, m.create(4.0), null).toDoubleArray()[0], 1e-12);
            assertEquals(2.0, new HybridLoss(1, 0.3).combine(m.create(2.0), null, null).toDoubleArray()[0], 1e-12);
            assertThrows(IllegalArgumentException.class, () -> HybridLoss.u2pp().combine(m.create(2.0), m.create(4.0),
                    null));
        }
    }

    /**
     * With smoothing 0 the loss is the plain cross-entropy summed over tokens / B: logits all 0 over V = 4 give
     * ln 4 per token; 3 real tokens in a batch of 2: 3 ln 4 / 2.
     */
    @Test
    void labelSmoothingWithoutSmoothingIsCrossEntropy() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = m.zeros(new Shape(2, 2, 4), DataType.FLOAT64);
            NDArray target = m.create(new long[] {1, 2, 3, -1}, new Shape(2, 2));
            double loss = new LabelSmoothingLoss(4, 0, -1, false).forward(logits, target).toDoubleArray()[0];
            assertEquals(3 * Math.log(4) / 2, loss, 1e-12);
            double perToken = new LabelSmoothingLoss(4, 0, -1, true).forward(logits, target).toDoubleArray()[0];
            assertEquals(Math.log(4), perToken, 1e-12, "normalizeLength divides by the 3 real tokens");
        }
    }

    /** Logits at position i do not depend on input tokens after i (causal mask) nor on memory padding. */
    @Test
    void decoderIsCausalAndIgnoresMemoryPadding() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            BiTransformerDecoder decoder = smallDecoder(m, FeedForwardFactory.dense(ffn(8)));
            NDArray memory = randn(m, new Shape(1, 6, 8), 1);
            NDArray memLen = m.create(new long[] {4});
            NDArray ysLen = m.create(new long[] {4});
            NDArray a = decoder.forward(memory, memLen, m.create(new long[] {6, 1, 2, 3}, new Shape(1, 4)), ysLen,
                    null, false).logits();
            NDArray b = decoder.forward(memory, memLen, m.create(new long[] {6, 1, 4, 5}, new Shape(1, 4)), ysLen,
                    null, false).logits();
            assertArrayEquals(a.get(new NDIndex(":, :2")).toDoubleArray(), b.get(new NDIndex(":, :2")).toDoubleArray(),
                    1e-12, "positions 0 and 1 see only tokens 0 and 1");
            NDArray changedPadding = memory.duplicate();
            changedPadding.set(new NDIndex(":, 4:"), 100.0);
            NDArray c = decoder.forward(changedPadding, memLen, m.create(new long[] {6, 1, 2, 3}, new Shape(1, 4)),
                    ysLen, null, false).logits();
            assertArrayEquals(a.toDoubleArray(), c.toDoubleArray(), 1e-12, "frames past the memory length are masked");
            assertEquals(new Shape(1, 4, 7), a.getShape());
        }
    }

    /** An MoE decoder (Omni-router: one gate for every FFN of both directions) runs forward and backward. */
    @Test
    void moeDecoderTrainsThroughAllParameters() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(true);
            try {
                GateWeight gate = GateWeight.create(m, "decoder.gate", 8, 4, DataType.FLOAT64, 3);
                RouterSpec router = RouterSpec.builder().optTopK(1).optAuxLossCoeff(0.01).build();
                BiTransformerDecoder decoder = smallDecoder(m,
                        FeedForwardFactory.moe(ffn(16), MoeRouting.shared(gate), router, false));
                List<int[]> labels = List.of(new int[] {1, 2, 3}, new int[] {4});
                PreparedTargets t = TargetPreparation.forVocabulary(7).prepare(m, labels);
                DecoderOutput out = decoder.forward(randn(m, new Shape(2, 5, 8), 2), m.create(new long[] {5, 3}),
                        t.ysIn(), t.ysInLengths(), t.reverseYsIn(), true);
                assertNotNull(out.reverseLogits());
                assertNotNull(out.auxLoss(), "MoE blocks report their aux loss");
                LabelSmoothingLoss ls = LabelSmoothingLoss.wenet(7);
                NDArray loss = HybridLoss.u2pp().combine(m.create(0.0), ls.forward(out.logits(), t.ysOut()),
                        ls.forward(out.reverseLogits(), t.reverseYsOut())).add(out.auxLoss());
                DecoderGoldenTest.backward(loss);
                var params = ParameterCollector.unique(decoder);
                long gateCount = params.stream().filter(p -> p == gate.weight()).count();
                assertEquals(1, gateCount, "the shared gate is one parameter");
                double gateGrad = java.util.Arrays.stream(DecoderGoldenTest.grad(gate.weight().array()))
                        .map(Math::abs).sum();
                assertEquals(true, gateGrad > 0, "the shared gate receives gradient from the aux loss and outputs");
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }

    @Test
    void leftToRightDecoderHasNoReverseBranch() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            BiTransformerDecoder bi = smallDecoder(m, FeedForwardFactory.dense(ffn(8)));
            NDArray ys = m.create(new long[] {6, 1}, new Shape(1, 2));
            DecoderOutput out = bi.left().forward(randn(m, new Shape(1, 3, 8), 4), m.create(new long[] {3}), ys,
                    m.create(new long[] {2}), ys, false);
            assertNull(out.reverseLogits());
            assertNull(out.auxLoss(), "dense blocks have no aux loss");
        }
    }

    static BiTransformerDecoder smallDecoder(NDManager m, FeedForwardFactory ffn) {
        DecoderSpec config = DecoderSpec.builder().setVocabSize(7).setModelDim(8).setNumHeads(2).setNumBlocks(2)
                .optDropoutRate(0).optMaxLength(64).optDataType(DataType.FLOAT64).build();
        return BiTransformerDecoder.create(m, config, 1, ffn, "decoder", 42);
    }

    static FeedForwardSpec ffn(int hidden) {
        return FeedForwardSpec.builder().setModelDim(8).setFfnDim(hidden).optDataType(DataType.FLOAT64).build();
    }

    static NDArray randn(NDManager m, Shape shape, long seed) {
        Random random = new Random(seed);
        double[] v = new double[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        return m.create(v, shape);
    }
}
