package org.omnispark.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;
import org.omnispark.data.config.ConfigLoader;

/**
 * The on-disk layout of ONE checkpoint folder (format version 1):
 *
 * <pre>
 *   tensors.bin       every tensor's raw values, little-endian, row-major, concatenated in index order
 *   checkpoint.json   {"format": "omnispark-checkpoint", "version": 1, "training_state": {...}, "config": {...},
 *                      "optimizer": "Adam{...}", "optimizer_counters": {"name": long, ...},
 *                      "tensors": [{"name", "group": "model"|"optimizer", "dtype": "float32", "shape": [..],
 *                                   "offset": bytes, "length": bytes, "crc32c": unsigned int}, ...]}
 * </pre>
 *
 * <p>Model tensors are keyed by {@link org.omnispark.trainer.nn.ModelParameter#name()}, optimizer tensors by the
 * keys of {@link Optimizer#stateTensors()}. {@code checkpoint.json} is written last; a folder without it is
 * incomplete. Readers check every tensor's CRC32C.
 */
final class CheckpointFormat {

    static final String TENSORS = "tensors.bin";
    static final String INDEX = "checkpoint.json";
    static final String FORMAT = "omnispark-checkpoint";
    static final int VERSION = 1;

    private CheckpointFormat() {}

    /**
     * Writes {@code tensors.bin} (fsynced) and returns the index entries.
     *
     * @param folder an existing, empty folder
     * @param groups group name ("model", "optimizer") to name-to-tensor maps
     */
    static ArrayNode writeTensors(Path folder, Map<String, Map<String, NDArray>> groups) throws IOException {
        requireLittleEndianHost();
        ArrayNode entries = ConfigLoader.json().createArrayNode();
        try (FileChannel out = FileChannel.open(folder.resolve(TENSORS), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            long offset = 0;
            for (Map.Entry<String, Map<String, NDArray>> group : groups.entrySet()) {
                for (Map.Entry<String, NDArray> tensor : group.getValue().entrySet()) {
                    ByteBuffer bytes = tensor.getValue().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    CRC32C crc = new CRC32C();
                    crc.update(bytes.duplicate());
                    long length = bytes.remaining();
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                    ObjectNode entry = entries.addObject();
                    entry.put("name", tensor.getKey());
                    entry.put("group", group.getKey());
                    entry.put("dtype", tensor.getValue().getDataType().name().toLowerCase(Locale.ROOT));
                    ArrayNode shape = entry.putArray("shape");
                    for (long d : tensor.getValue().getShape().getShape()) {
                        shape.add(d);
                    }
                    entry.put("offset", offset);
                    entry.put("length", length);
                    entry.put("crc32c", crc.getValue());
                    offset += length;
                }
            }
            out.force(true);
        }
        return entries;
    }

    /** Reads the index entries of one group, keyed by name, in file order. */
    static Map<String, JsonNode> entries(JsonNode index, String group) {
        Map<String, JsonNode> result = new LinkedHashMap<>();
        for (JsonNode entry : index.get("tensors")) {
            if (entry.get("group").asText().equals(group)) {
                result.put(entry.get("name").asText(), entry);
            }
        }
        return result;
    }

    /**
     * Reads one tensor's bytes from {@code tensors.bin}, checks its CRC, dtype and shape, and overwrites
     * {@code target}'s values in place (grad mode off on this thread for the copy).
     */
    static void readInto(FileChannel in, JsonNode entry, NDArray target, Path folder) throws IOException {
        String name = entry.get("name").asText();
        DataType dataType = DataType.valueOf(entry.get("dtype").asText().toUpperCase(Locale.ROOT));
        long[] dims = new long[entry.get("shape").size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = entry.get("shape").get(i).asLong();
        }
        Shape shape = new Shape(dims);
        if (!shape.equals(target.getShape()) || dataType != target.getDataType()) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + folder + " is " + dataType + " "
                    + shape + " but the model has " + target.getDataType() + " " + target.getShape()
                    + "; the checkpoint was written for a different model config");
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(entry.get("length").asLong()))
                .order(ByteOrder.LITTLE_ENDIAN);
        long position = entry.get("offset").asLong();
        while (bytes.hasRemaining()) {
            int read = in.read(bytes, position + bytes.position());
            if (read < 0) {
                throw new IOException("tensors.bin in " + folder + " is truncated at tensor '" + name + "'");
            }
        }
        bytes.flip();
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        if (crc.getValue() != entry.get("crc32c").asLong()) {
            throw new IOException("tensor '" + name + "' in " + folder + " fails its CRC32C check: the file is "
                    + "corrupt; restore from an older checkpoint");
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            target.set(bytes);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private static void requireLittleEndianHost() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("checkpoints are written from little-endian hosts only");
        }
    }
}
