package org.omnispark.trainer.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.ctc.GoldenTensors;
import org.omnispark.trainer.encoder.FeedForwardFactory;
import org.omnispark.trainer.encoder.MultiHeadedAttention;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.nn.LayerNorm;
import org.omnispark.trainer.nn.Linear;

/**
 * One decoder layer (forward + input gradients) and the label-smoothing loss (value + logits gradient) against an
 * independent plain-PyTorch implementation (trainer/src/test/python/make_decoder_golden.py, float64 maths on
 * float32-representable inputs, stored as float32). The Java side runs float64: tolerance 1e-5 * (1 + |expected|).
 */
class DecoderGoldenTest {

    private static final String SCRIPT = "trainer/src/test/python/make_decoder_golden.py";
    private static final double TOL = 1e-5;

    static {
        Engine.getEngine("PyTorch");
    }

    @Test
    void decoderLayerMatchesPyTorch() throws IOException {
        GoldenTensors g = GoldenTensors.open("/golden/decoder/", SCRIPT);
        int d = g.meta().get("layer").get("d").asInt();
        int heads = g.meta().get("layer").get("heads").asInt();
        int ffn = g.meta().get("layer").get("ffn").asInt();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(true);
            try {
                DecoderSpec config = DecoderSpec.builder().setVocabSize(10).setModelDim(d).setNumHeads(heads)
                        .setNumBlocks(1).optDropoutRate(0).optDataType(DataType.FLOAT64).build();
                FeedForwardSpec ffnConfig = FeedForwardSpec.builder().setModelDim(d).setFfnDim(ffn)
                        .optActivation(FfnActivation.RELU).optDataType(DataType.FLOAT64).build();
                FeedForwardFactory.Dense dense = (FeedForwardFactory.Dense) FeedForwardFactory.dense(ffnConfig)
                        .create(m, 0, "dec.layer0.ffn", 5);
                DecoderLayer layer = DecoderLayer.create(m, config, dense, "dec.layer0", 1);
                load(g, m, layer.selfAttention(), "self_");
                load(g, m, layer.sourceAttention(), "src_");
                List<LayerNorm> norms = layer.norms();
                for (int i = 0; i < 3; i++) {
                    norms.get(i).gamma().setValue(g.load(m, "norm" + (i + 1) + "_gamma", DataType.FLOAT64));
                    norms.get(i).beta().setValue(g.load(m, "norm" + (i + 1) + "_beta", DataType.FLOAT64));
                }
                dense.ffn().w1().setValue(g.load(m, "ffn_w1", DataType.FLOAT64));
                dense.ffn().b1().setValue(g.load(m, "ffn_b1", DataType.FLOAT64));
                dense.ffn().w2().setValue(g.load(m, "ffn_w2", DataType.FLOAT64));
                dense.ffn().b2().setValue(g.load(m, "ffn_b2", DataType.FLOAT64));

                NDArray tgt = g.load(m, "tgt", DataType.FLOAT64);
                NDArray memory = g.load(m, "memory", DataType.FLOAT64);
                tgt.setRequiresGradient(true);
                memory.setRequiresGradient(true);
                NDArray ysLens = g.load(m, "ys_lens", DataType.FLOAT64);
                NDArray memLens = g.load(m, "mem_lens", DataType.FLOAT64);
                long length = tgt.getShape().get(1);
                NDArray out = layer.forward(tgt, DecoderMasks.causal(ysLens, length), memory,
                        DecoderMasks.padding(memLens, memory.getShape().get(1)),
                        DecoderMasks.validFlags(ysLens, length), false).output();
                backward(out.mul(g.load(m, "proj", DataType.FLOAT64)).sum());

                assertClose(g.doubles("out"), values(out), "layer output [B, L, d]");
                assertClose(g.doubles("grad_tgt"), grad(tgt), "gradient of tgt");
                assertClose(g.doubles("grad_memory"), grad(memory), "gradient of memory (padded frames get 0)");
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }

    @Test
    void labelSmoothingLossMatchesPyTorch() throws IOException {
        GoldenTensors g = GoldenTensors.open("/golden/decoder/", SCRIPT);
        int vocab = g.meta().get("label_smoothing").get("vocab").asInt();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(true);
            try {
                NDArray logits = g.load(m, "ls_logits", DataType.FLOAT64);
                logits.setRequiresGradient(true);
                NDArray loss = LabelSmoothingLoss.wenet(vocab).forward(logits, g.load(m, "ls_target", DataType.FLOAT64));
                backward(loss);
                double expected = g.doubles("ls_loss")[0];
                assertEquals(expected, values(loss)[0], TOL * (1 + Math.abs(expected)), "label-smoothing loss");
                assertClose(g.doubles("ls_grad_logits"), grad(logits), "gradient of the logits (0 where ignored)");
            } finally {
                JniUtils.setGradMode(false);
            }
        }
    }

    private static void load(GoldenTensors g, NDManager m, MultiHeadedAttention attention, String prefix)
            throws IOException {
        List<Linear> projections = attention.projections(); // q, k, v, out
        String[] names = {"q", "k", "v", "o"};
        for (int i = 0; i < 4; i++) {
            projections.get(i).weight().setValue(g.load(m, prefix + names[i] + "_w", DataType.FLOAT64));
            projections.get(i).bias().setValue(g.load(m, prefix + names[i] + "_b", DataType.FLOAT64));
        }
    }

    static void backward(NDArray loss) {
        try (NDArray ones = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        }
    }

    static double[] grad(NDArray array) {
        try (NDArray g = array.getGradient()) {
            return values(g);
        }
    }

    static double[] values(NDArray array) {
        return array.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOL * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }
}
