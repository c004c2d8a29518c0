package org.omnispark.trainer.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.omnispark.trainer.moe.MoeTestSupport.assertClose;
import static org.omnispark.trainer.moe.MoeTestSupport.gradient;
import static org.omnispark.trainer.moe.MoeTestSupport.values;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Compares the layer with an independent plain-PyTorch implementation (trainer/src/test/python/make_moe_golden.py,
 * torch 1.13, float64 maths on float32-representable inputs, stored as float32). The Java side runs in float64 on
 * the same inputs, so the only differences are the float32 rounding of the stored results: tolerance 1e-6 absolute
 * + 1e-5 relative.
 */
class MoeGoldenTest {

    private static final double ATOL = 1e-6;
    private static final double RTOL = 1e-5;

    @ParameterizedTest
    @CsvSource({"wenet_top2, false", "wenet_top2, true", "switch_top1, false", "switch_top1, true",
        "switch_top2, false", "switch_top2, true", "wenet_e8_top2, false", "wenet_e8_top2, true"})
    void matchesPyTorchReference(String name, boolean grouped) throws IOException {
        String folder = "/golden/moe/" + name + "/";
        JsonNode meta;
        try (InputStream in = MoeGoldenTest.class.getResourceAsStream(folder + "golden.json")) {
            if (in == null) {
                throw new IOException("Missing " + folder + "golden.json; run trainer/src/test/python/make_moe_golden.py");
            }
            meta = new ObjectMapper().readTree(in);
        }
        JsonNode c = meta.get("config");
        try (NDManager m = MoeTestSupport.newManager()) {
            Golden g = new Golden(m, folder, meta.get("tensors"));
            int d = c.get("d").asInt();
            int numExperts = c.get("experts").asInt();
            FeedForwardSpec ffn = MoeTestSupport.ffn64(d, c.get("ffn").asInt(),
                    FfnActivation.valueOf(c.get("activation").asText().toUpperCase()), true);
            RouterSpec rc = RouterSpec.builder()
                    .optTopK(c.get("top_k").asInt())
                    .optNormalization(RoutingNormalization.valueOf(c.get("normalization").asText().toUpperCase()))
                    .optAuxLossCoeff(c.get("aux_coeff").asDouble())
                    .optZLossCoeff(c.get("z_coeff").asDouble())
                    .build();
            GateWeight gate = GateWeight.create(m, "gate", d, numExperts, DataType.FLOAT64, 0);
            gate.weight().setValue(g.load("gate"));
            MoeFeedForward moe = MoeTestSupport.moe(
                    m, gate, rc, ffn, c.get("capacity_factor").asDouble(), grouped, "moe", 0);
            ExpertWeights w = moe.experts().weights();
            w.w1().setValue(g.load("w1"));
            w.b1().setValue(g.load("b1"));
            w.w2().setValue(g.load("w2"));
            w.b2().setValue(g.load("b2"));

            NDArray x = g.load("x");
            x.setRequiresGradient(true);
            MoeOutput out = moe.forward(x, g.load("mask"), false);
            MoeTestSupport.backward(out.output().mul(g.load("proj")).sum().add(out.totalAuxLoss()));

            String what = name + (grouped ? " grouped" : " sequential");
            assertClose(values(g.load("out")), values(out.output()), ATOL, RTOL, what + ": output");
            assertEquals(values(g.load("aux"))[0], MoeTestSupport.scalar(out.auxLoss()), ATOL, what + ": aux");
            assertEquals(values(g.load("z"))[0], MoeTestSupport.scalar(out.zLoss()), ATOL, what + ": z-loss");
            long[] kept = new long[numExperts];
            for (int e = 0; e < numExperts; e++) {
                kept[e] = meta.get("kept_per_expert").get(e).asLong();
            }
            assertArrayEquals(kept, out.dispatched().tokensPerLocalExpert(), what + ": kept tokens per expert");
            assertClose(values(g.load("grad_x")), gradient(x), ATOL, RTOL, what + ": d loss / d x");
            assertClose(values(g.load("grad_gate")), gradient(gate.weight()), ATOL, RTOL, what + ": d / d gate");
            assertClose(values(g.load("grad_w1")), gradient(w.w1()), ATOL, RTOL, what + ": d / d w1");
            assertClose(values(g.load("grad_b1")), gradient(w.b1()), ATOL, RTOL, what + ": d / d b1");
            assertClose(values(g.load("grad_w2")), gradient(w.w2()), ATOL, RTOL, what + ": d / d w2");
            assertClose(values(g.load("grad_b2")), gradient(w.b2()), ATOL, RTOL, what + ": d / d b2");
        }
    }

    /** Reads float32 little-endian tensors named in golden.json into FLOAT64 arrays. */
    private static final class Golden {
        private final NDManager manager;
        private final String folder;
        private final JsonNode tensors;

        Golden(NDManager manager, String folder, JsonNode tensors) {
            this.manager = manager;
            this.folder = folder;
            this.tensors = tensors;
        }

        NDArray load(String name) throws IOException {
            JsonNode entry = tensors.get(name);
            long[] dims = new long[entry.get("shape").size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = entry.get("shape").get(i).asLong();
            }
            Shape shape = new Shape(dims);
            byte[] bytes;
            try (InputStream in = MoeGoldenTest.class.getResourceAsStream(folder + entry.get("file").asText())) {
                bytes = in.readAllBytes();
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            double[] values = new double[Math.toIntExact(shape.size())];
            if (bytes.length != 4 * values.length) {
                throw new IOException(name + ".bin has " + bytes.length + " bytes, expected " + 4 * values.length);
            }
            for (int i = 0; i < values.length; i++) {
                values[i] = buffer.getFloat();
            }
            return manager.create(values, shape);
        }
    }
}
