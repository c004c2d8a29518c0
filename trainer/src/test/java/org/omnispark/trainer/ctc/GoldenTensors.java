package org.omnispark.trainer.ctc;

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

/**
 * Reads golden tensors written by the scripts under trainer/src/test/python: little-endian .bin files described by a
 * golden.json {@code {"tensors": {name: {"shape": [...], "dtype": "float32"|"int64"}}}}. Shared by the tests of the
 * ctc, decoder and decode packages.
 */
public final class GoldenTensors {

    private final String folder;
    private final JsonNode meta;

    private GoldenTensors(String folder, JsonNode meta) {
        this.folder = folder;
        this.meta = meta;
    }

    /**
     * Opens a golden folder on the test classpath.
     *
     * @param folder e.g. "/golden/ctc/"
     * @param script the script that makes it (named in the error message)
     * @return the reader
     */
    public static GoldenTensors open(String folder, String script) throws IOException {
        try (InputStream in = GoldenTensors.class.getResourceAsStream(folder + "golden.json")) {
            if (in == null) {
                throw new IOException("Missing " + folder + "golden.json; run /usr/bin/python3 " + script);
            }
            return new GoldenTensors(folder, new ObjectMapper().readTree(in));
        }
    }

    /** @return the whole golden.json */
    public JsonNode meta() {
        return meta;
    }

    /** @return the shape of a stored tensor */
    public Shape shape(String name) {
        JsonNode dims = entry(name).get("shape");
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).asLong();
        }
        return new Shape(shape);
    }

    /** @return the values of a float32 tensor, widened to double */
    public double[] doubles(String name) throws IOException {
        ByteBuffer buffer = bytes(name);
        double[] values = new double[buffer.remaining() / 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.getFloat();
        }
        return values;
    }

    /** @return the values of an int64 tensor */
    public long[] longs(String name) throws IOException {
        ByteBuffer buffer = bytes(name);
        long[] values = new long[buffer.remaining() / 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.getLong();
        }
        return values;
    }

    /** @return the tensor in the given data type (float tensors) or INT64 */
    public NDArray load(NDManager manager, String name, DataType floatType) throws IOException {
        if ("int64".equals(entry(name).get("dtype").asText())) {
            return manager.create(longs(name), shape(name));
        }
        return manager.create(doubles(name), shape(name)).toType(floatType, false);
    }

    private JsonNode entry(String name) {
        JsonNode node = meta.get("tensors").get(name);
        if (node == null) {
            throw new IllegalArgumentException("No tensor " + name + " in " + folder + "golden.json");
        }
        return node;
    }

    private ByteBuffer bytes(String name) throws IOException {
        try (InputStream in = GoldenTensors.class.getResourceAsStream(folder + name + ".bin")) {
            if (in == null) {
                throw new IOException("Missing " + folder + name + ".bin");
            }
            return ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
