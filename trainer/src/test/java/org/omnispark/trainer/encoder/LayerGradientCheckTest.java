package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.nn.LayerNorm;

/**
 * Finite-difference check of the input gradient of a tiny Transformer layer with plain multi-head attention (no golden
 * file covers plain MHA): float64, central differences with h = 1e-6, tolerance 1e-6 absolute + 1e-5 relative.
 */
class LayerGradientCheckTest {

    @Test
    void transformerLayerInputGradientMatchesFiniteDifferences() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            int d = 8;
            DataType f64 = DataType.FLOAT64;
            FeedForwardModule ff = FeedForwardFactory.dense(FeedForwardSpec.builder().setModelDim(d).setFfnDim(12)
                    .optActivation(FfnActivation.GELU).optDataType(f64).build()).create(m, 0, "ffn", 1);
            TransformerEncoderLayer layer = new TransformerEncoderLayer(
                    new MultiHeadedAttention(m, "attn", d, 2, 0.0, f64, 2), ff,
                    LayerNorm.create(m, "norm1", d, 1e-5, f64), LayerNorm.create(m, "norm2", d, 1e-5, f64), 0.0);
            NDArray mask = ChunkMasks.attentionMask(m, new int[] {5, 3}, 5, new ChunkMasks.Choice(2, -1));
            NDArray x = EncoderTestSupport.randn(m, new Shape(2, 5, d), 1, f64);
            NDArray proj = EncoderTestSupport.randn(m, new Shape(2, 5, d), 2, f64);
            LayerContext context = new LayerContext(mask, null, null, null, false);

            x.setRequiresGradient(true);
            NDArray loss = layer.forward(x, context, null, null).output().mul(proj).sum();
            EncoderTestSupport.backward(loss);
            double[] analytic = EncoderTestSupport.gradient(x);
            EncoderTestSupport.assertNonTrivial(analytic, 1e-2, "d loss / dx");

            JniUtils.setGradMode(false);
            double[] base = EncoderTestSupport.values(x);
            double h = 1e-6;
            for (int i = 0; i < base.length; i += 7) {
                double[] plus = base.clone();
                plus[i] += h;
                double[] minus = base.clone();
                minus[i] -= h;
                double lp = layer.forward(m.create(plus, x.getShape()), context, null, null).output().mul(proj).sum()
                        .getDouble();
                double lm = layer.forward(m.create(minus, x.getShape()), context, null, null).output().mul(proj)
                        .sum().getDouble();
                double numeric = (lp - lm) / (2 * h);
                assertEquals(numeric, analytic[i], 1e-6 + 1e-5 * Math.abs(numeric), "entry " + i);
            }
        }
    }
}
