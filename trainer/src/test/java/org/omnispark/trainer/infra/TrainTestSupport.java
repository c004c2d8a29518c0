package org.omnispark.trainer.infra;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.omnispark.data.config.ConfigLoader;

/** Helpers shared by the train-package tests: engine start, backward, golden files. */
final class TrainTestSupport {

    static {
        Engine.getEngine("PyTorch"); // before any JniUtils call
    }

    private TrainTestSupport() {}

    /** @return a fresh base manager; grad mode is switched on for this thread */
    static NDManager newManager() {
        NDManager manager = NDManager.newBaseManager("PyTorch");
        JniUtils.setGradMode(true);
        return manager;
    }

    /** Backward from a scalar loss on this thread. */
    static void backward(NDArray loss) {
        try (NDArray ones = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        }
    }

    /** The folder of a golden case under src/test/resources/golden. */
    static Path golden(String component, String name) {
        try {
            return Paths.get(TrainTestSupport.class.getResource("/golden/" + component + "/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("golden case " + component + "/" + name + " missing; run the script "
                    + "under trainer/src/test/python", e);
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return ConfigLoader.json().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a little-endian float32 tensor described by {@code {"file", "shape"}}. */
    static NDArray readTensor(NDManager manager, Path folder, JsonNode entry) {
        try {
            byte[] bytes = Files.readAllBytes(folder.resolve(entry.get("file").asText()));
            long[] dims = new long[entry.get("shape").size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = entry.get("shape").get(i).asLong();
            }
            float[] values = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return manager.create(values, new Shape(dims));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(NDArray array) {
        return array.toType(DataType.FLOAT32, false).toFloatArray();
    }
}
