package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

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
import org.omnispark.trainer.TorchTestSupport;

/** Helpers for the encoder tests: engine start, seeded data, backward, golden files, comparisons. */
final class EncoderTestSupport {

    private EncoderTestSupport() {}

    /** @return a fresh base manager; grad mode is switched on for this thread */
    static NDManager newManager() {
        return TorchTestSupport.newManager();
    }

    /** Standard normal values from a seeded host RNG. */
    static NDArray randn(NDManager manager, Shape shape, long seed, DataType dataType) {
        return TorchTestSupport.randn(manager, shape, seed, dataType);
    }

    /** Backward from a scalar loss on this thread. */
    static void backward(NDArray loss) {
        TorchTestSupport.backward(loss);
    }

    static double[] values(NDArray array) {
        return array.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    static double[] gradient(NDArray array) {
        try (NDArray g = array.getGradient()) {
            return values(g);
        }
    }

    /** Asserts |expected - actual| <= atol + rtol |expected| elementwise, naming the first mismatch. */
    static void assertClose(double[] expected, double[] actual, double atol, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = atol + rtol * Math.abs(expected[i]);
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(what + ": entry " + i + " expected " + expected[i] + " but got " + actual[i] + " (tolerance "
                        + tol + ")");
            }
        }
    }

    /** Largest |a - b|. */
    static double maxAbsDiff(double[] a, double[] b) {
        assertEquals(a.length, b.length, "lengths differ");
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    /** Asserts the largest |value| is at least {@code min}. */
    static void assertNonTrivial(double[] values, double min, String what) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        if (max < min) {
            fail(what + " is trivially small: max |value| = " + max);
        }
    }

    /** A folder of golden tensors written by trainer/src/test/python/make_encoder_golden.py. */
    static final class Golden {
        final JsonNode config;
        private final JsonNode tensors;
        private final String folder;
        private final NDManager manager;

        Golden(NDManager manager, String name) throws IOException {
            this.manager = manager;
            this.folder = "/golden/encoder/" + name + "/";
            try (InputStream in = EncoderTestSupport.class.getResourceAsStream(folder + "golden.json")) {
                if (in == null) {
                    throw new IOException(
                            "Missing " + folder + "golden.json; run trainer/src/test/python/make_encoder_golden.py");
                }
                JsonNode meta = new ObjectMapper().readTree(in);
                this.config = meta.get("config");
                this.tensors = meta.get("tensors");
            }
        }

        /** Loads a tensor as FLOAT64. */
        NDArray load(String name) throws IOException {
            JsonNode dims = tensors.get(name);
            if (dims == null) {
                throw new IOException("golden " + folder + " has no tensor " + name);
            }
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).asLong();
            }
            byte[] bytes;
            try (InputStream in = EncoderTestSupport.class.getResourceAsStream(folder + name + ".bin")) {
                bytes = in.readAllBytes();
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.length / 4];
            buffer.asFloatBuffer().get(values);
            return manager.create(values, new Shape(shape)).toType(DataType.FLOAT64, false);
        }
    }
}
