package org.omnispark.trainer.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.text.Tokenizer;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.infra.CheckpointManager;

/**
 * Exports a trained model to safetensors, the format PyTorch and Hugging Face users load, with WeNet's parameter
 * names and layouts ({@link WenetNames}), beside its config and vocabulary:
 *
 * <pre>
 *   OUT/model.safetensors   float32 tensors; __metadata__: format=pt, the model config (JSON), the checkpoint
 *   OUT/config.json         model config, vocabulary size, CMVN, where the weights came from
 *   OUT/units.txt           the vocabulary (WeNet's "token id" lines)
 * </pre>
 *
 * Format: an 8-byte little-endian header length, the JSON header (name -> dtype, shape, data_offsets; sorted by
 * name), then the tensors' little-endian bytes (safetensors 0.x).
 */
public final class SafetensorsExport {
    /** The weights file's name. */
    public static final String WEIGHTS = "model.safetensors";

    private SafetensorsExport() {
    }

    /**
     * Writes the export of a model folder's checkpoint.
     *
     * @param modelDir a local {@code train --out} folder
     * @param checkpoint a committed checkpoint, or null for the newest
     * @param out the local export folder (created)
     * @return the number of tensors written
     */
    public static int export(Path modelDir, String checkpoint, Path out) {
        return export(Storage.of(new org.apache.hadoop.conf.Configuration()), Location.of(modelDir), checkpoint,
                Location.of(out));
    }

    /**
     * Writes the export of a model folder's checkpoint, on any Hadoop file systems.
     *
     * @param storage the storage of the folders
     * @param modelDir a {@code train --out} folder
     * @param checkpoint a committed checkpoint (a Hadoop URI), or null for the newest
     * @param out the export folder (created)
     * @return the number of tensors written
     */
    public static int export(Storage storage, Location modelDir, String checkpoint, Location out) {
        ModelDirectory dir = ModelDirectory.read(storage, modelDir);
        CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir.checkpointDirectory())
                .optConfiguration(storage.conf()).build();
        org.apache.hadoop.fs.Path ckpt = checkpoint != null ? new org.apache.hadoop.fs.Path(checkpoint)
                : checkpoints.latest().orElseThrow(() -> new IllegalStateException("No committed checkpoint in "
                        + dir.checkpointDirectory() + "; train first or pass --checkpoint"));
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            U2Model model = dir.newModel(manager);
            checkpoints.restore(ckpt, model.parameters(), null);
            Map<String, float[]> data = new TreeMap<>();
            Map<String, long[]> shapes = new TreeMap<>();
            for (ModelParameter p : model.parameters()) {
                NDArray a = p.array().toType(DataType.FLOAT32, false);
                for (WenetNames.Target t : WenetNames.of(p.name(), a.getShape().getShape().clone())) {
                    NDArray source = t.expert() >= 0 ? a.get(t.expert()) : a;
                    if (t.expert() >= 0 && !t.transpose()) {
                        source = source.flatten();
                    }
                    float[] values = (t.transpose() ? source.transpose() : source).toFloatArray();
                    if (data.put(t.name(), values) != null) {
                        throw new IllegalStateException("two parameters export as " + t.name() + "; this is a bug");
                    }
                    shapes.put(t.name(), t.shape());
                }
            }
            storage.mkdirs(out);
            ObjectMapper json = ConfigLoader.json();
            ObjectNode config = json.createObjectNode();
            config.set("model_config", ModelDirectory.configTree(dir.modelConfig()));
            config.put("vocab_size", dir.vocabSize());
            config.set("cmvn", json.valueToTree(dir.cmvn()));
            config.put("checkpoint", ckpt.toString());
            config.put("created_by", dir.createdBy());
            config.put("names", "WeNet (see org.omnispark.trainer.export.WenetNames)");
            Map<String, String> metadata = new TreeMap<>();
            metadata.put("format", "pt");
            metadata.put("omnispark_config", json.writeValueAsString(config));
            storage.write(out.resolve(WEIGHTS), stream -> write(stream, data, shapes, metadata));
            storage.write(out.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
            storage.copy(modelDir.resolve(Tokenizer.UNITS_FILE), out.resolve(Tokenizer.UNITS_FILE));
            return data.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export " + modelDir + " to " + out + ": " + e.getMessage(), e);
        }
    }

    /** Writes a local safetensors file (atomically: a temporary file renamed into place). */
    static void write(Path file, Map<String, float[]> data, Map<String, long[]> shapes, Map<String, String> metadata)
            throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            write(out, data, shapes, metadata);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes safetensors content to a stream. */
    static void write(OutputStream out, Map<String, float[]> data, Map<String, long[]> shapes,
            Map<String, String> metadata) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        header.set("__metadata__", json.valueToTree(metadata));
        long offset = 0;
        for (Map.Entry<String, float[]> e : data.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            long count = 1;
            for (long d : shapes.get(e.getKey())) {
                shape.add(d);
                count *= d;
            }
            if (count != e.getValue().length) {
                throw new IllegalStateException(e.getKey() + ": shape holds " + count + " values, the data "
                        + e.getValue().length);
            }
            t.putArray("data_offsets").add(offset).add(offset + 4L * count);
            offset += 4L * count;
        }
        byte[] head = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (head.length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(head);
        out.write(" ".repeat(padded - head.length).getBytes(StandardCharsets.US_ASCII));
        for (float[] values : data.values()) {
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            out.write(b.array());
        }
    }
}
