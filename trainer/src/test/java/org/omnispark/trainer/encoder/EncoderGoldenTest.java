package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.omnispark.trainer.encoder.EncoderTestSupport.assertClose;
import static org.omnispark.trainer.encoder.EncoderTestSupport.assertNonTrivial;
import static org.omnispark.trainer.encoder.EncoderTestSupport.gradient;
import static org.omnispark.trainer.encoder.EncoderTestSupport.values;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.omnispark.trainer.encoder.EncoderTestSupport.Golden;
import org.omnispark.trainer.moe.DenseFeedForward;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.nn.LayerNorm;
import org.omnispark.trainer.nn.Linear;
import org.omnispark.trainer.nn.RelPositionalEncoding;

/**
 * Compares the 4x subsampling, the relative attention and the Conformer layer with an independent plain-PyTorch implementation
 * (trainer/src/test/python/make_encoder_golden.py, torch 1.13, float64 maths on float32-representable inputs, stored
 * as float32). Java runs in float64 on the same inputs, so the differences are the float32 rounding of the stored
 * results: tolerance 2e-6 absolute + 1e-5 relative.
 */
class EncoderGoldenTest {

    private static final double ATOL = 2e-6;
    private static final double RTOL = 1e-5;

    @Test
    void relPositionAttentionMatchesPyTorch() throws IOException {
        try (NDManager m = EncoderTestSupport.newManager()) {
            Golden g = new Golden(m, "rel_attention");
            int d = g.config.get("d").asInt();
            int heads = g.config.get("heads").asInt();
            RelPositionMultiHeadedAttention attention =
                    new RelPositionMultiHeadedAttention(m, "attn", d, heads, 0.0, DataType.FLOAT64, 1);
            loadAttention(g, "attn.", attention);

            NDArray x = g.load("x");
            x.setRequiresGradient(true);
            NDArray posEmb = g.load("pos_emb");
            posEmb.setRequiresGradient(true);
            NDArray mask = g.load("mask").toType(DataType.BOOLEAN, false); // [B, T, T]
            AttentionOutput out = attention.forward(x, x, x, mask, posEmb, null, true);
            EncoderTestSupport.backward(out.output().mul(g.load("proj")).sum());

            assertClose(values(g.load("out")), values(out.output()), ATOL, RTOL, "rel attention output");
            assertClose(values(g.load("grad_x")), gradient(x), ATOL, RTOL, "rel attention d/dx");
            assertClose(values(g.load("grad_pos_emb")), gradient(posEmb), ATOL, RTOL, "rel attention d/dposEmb");
            assertNonTrivial(gradient(posEmb), 1e-3, "d/dposEmb");
            // the cache holds keys and values of all T frames: [B, H, T, 2 dk]
            assertEquals(
                    new Shape(2, heads, 6, 2 * (d / heads)), out.newCache().getShape(),
                    "new cache shape");
        }
    }

    @Test
    void subsampling4MatchesPyTorch() throws IOException {
        try (NDManager m = EncoderTestSupport.newManager()) {
            Golden g = new Golden(m, "subsampling4");
            int d = g.config.get("d").asInt();
            Conv2dSubsampling sub = new Conv2dSubsampling(m, "embed", Conv2dSubsampling.Rate.X4,
                    g.config.get("features").asInt(), d, new RelPositionalEncoding(m, d, 0.0, 100, DataType.FLOAT64),
                    DataType.FLOAT64, 1);
            for (int i = 0; i < 2; i++) {
                sub.convWeights().get(i).setValue(g.load("conv" + i + ".weight"));
                sub.convBiases().get(i).setValue(g.load("conv" + i + ".bias"));
            }
            loadLinear(g, "out", sub.out());
            NDArray x = g.load("x");
            x.setRequiresGradient(true);
            Conv2dSubsampling.Output out = sub.forward(x, 0, true);
            EncoderTestSupport.backward(out.x().mul(g.load("proj")).sum());
            // T = 15 -> ((15-1)/2-1)/2 = 3 frames
            assertEquals(new Shape(2, 3, d), out.x().getShape(), "subsampled shape");
            assertClose(values(g.load("out")), values(out.x()), ATOL, RTOL, "subsampling output");
            assertClose(values(g.load("grad_x")), gradient(x), ATOL, RTOL, "subsampling d/dx");
            assertNonTrivial(gradient(x), 1e-3, "subsampling d/dx");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"conformer_layer", "conformer_layer_causal"})
    void conformerLayerMatchesPyTorch(String name) throws IOException {
        try (NDManager m = EncoderTestSupport.newManager()) {
            Golden g = new Golden(m, name);
            int d = g.config.get("d").asInt();
            int heads = g.config.get("heads").asInt();
            int ffnDim = g.config.get("ffn").asInt();
            int kernel = g.config.get("kernel").asInt();
            boolean causal = g.config.get("causal").asBoolean();
            DataType f64 = DataType.FLOAT64;
            FeedForwardSpec ffn = FeedForwardSpec.builder().setModelDim(d).setFfnDim(ffnDim)
                    .optActivation(FfnActivation.SWISH).optDataType(f64).build();
            FeedForwardFactory factory = FeedForwardFactory.dense(ffn);
            FeedForwardModule ff1 = factory.create(m, 0, "ffn1", 1);
            FeedForwardModule ff2 = factory.create(m, 1, "ffn2", 2);
            RelPositionMultiHeadedAttention attention =
                    new RelPositionMultiHeadedAttention(m, "attn", d, heads, 0.0, f64, 3);
            ConvolutionModule conv = new ConvolutionModule(m, "conv", d, kernel, causal, 1e-5, f64, 4);
            List<LayerNorm> norms = new ArrayList<>();
            for (String n : new String[] {"ff_macaron", "mha", "conv", "ff", "final"}) {
                LayerNorm norm = LayerNorm.create(m, "norm_" + n, d, 1e-5, f64);
                loadNorm(g, "norm_" + n, norm);
                norms.add(norm);
            }
            ConformerEncoderLayer layer = new ConformerEncoderLayer(attention, ff1, ff2, conv, norms, 0.0);
            loadAttention(g, "attn.", attention);
            loadDense(g, "ffn1", ((FeedForwardFactory.Dense) ff1).ffn());
            loadDense(g, "ffn2", ((FeedForwardFactory.Dense) ff2).ffn());
            loadLinear(g, "conv.pointwise_conv1", conv.pointwiseConv1());
            loadLinear(g, "conv.pointwise_conv2", conv.pointwiseConv2());
            conv.depthwiseWeight().setValue(g.load("conv.depthwise_conv.weight"));
            conv.depthwiseBias().setValue(g.load("conv.depthwise_conv.bias"));
            loadNorm(g, "conv.norm", conv.norm());

            NDArray x = g.load("x");
            x.setRequiresGradient(true);
            NDArray mask = g.load("mask").toType(DataType.BOOLEAN, false); // [B, T, T]
            NDArray pad = g.load("pad").toType(DataType.BOOLEAN, false); // [B, 1, T]
            LayerContext context = new LayerContext(mask, g.load("pos_emb"), pad, null, true);
            EncoderLayerOutput out = layer.forward(x, context, null, null);
            EncoderTestSupport.backward(out.output().mul(g.load("proj")).sum());

            assertClose(values(g.load("out")), values(out.output()), ATOL, RTOL, name + " output");
            assertClose(values(g.load("grad_x")), gradient(x), ATOL, RTOL, name + " d/dx");
            assertNonTrivial(gradient(x), 1e-2, name + " d/dx");
            assertEquals(causal, out.convolutionCache() != null,
                    "a causal layer returns a convolution cache, a non-causal one does not");
        }
    }

    static void loadAttention(Golden g, String prefix, MultiHeadedAttention attention) throws IOException {
        String[] names = {"linear_q", "linear_k", "linear_v", "linear_out"};
        for (int i = 0; i < names.length; i++) {
            loadLinear(g, prefix + names[i], attention.projections().get(i));
        }
        if (attention instanceof RelPositionMultiHeadedAttention) {
            RelPositionMultiHeadedAttention rel = (RelPositionMultiHeadedAttention) attention;
            rel.linearPos().weight().setValue(g.load(prefix + "linear_pos.weight"));
            rel.posBiasU().setValue(g.load(prefix + "pos_bias_u"));
            rel.posBiasV().setValue(g.load(prefix + "pos_bias_v"));
        }
    }

    static void loadLinear(Golden g, String prefix, Linear linear) throws IOException {
        linear.weight().setValue(g.load(prefix + ".weight"));
        if (linear.bias() != null) {
            linear.bias().setValue(g.load(prefix + ".bias"));
        }
    }

    static void loadNorm(Golden g, String prefix, LayerNorm norm) throws IOException {
        norm.gamma().setValue(g.load(prefix + ".weight"));
        norm.beta().setValue(g.load(prefix + ".bias"));
    }

    static void loadDense(Golden g, String prefix, DenseFeedForward ffn) throws IOException {
        ffn.w1().setValue(g.load(prefix + ".w1.weight"));
        ffn.b1().setValue(g.load(prefix + ".w1.bias"));
        ffn.w2().setValue(g.load(prefix + ".w2.weight"));
        ffn.b2().setValue(g.load(prefix + ".w2.bias"));
    }
}
