package org.omnispark.trainer.infra;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.trainer.nn.HostSyncs;

/**
 * The layout of ONE checkpoint folder (format version 2; docs/checkpoint-format.md is the reference):
 *
 * <pre>
 *   part-&lt;r&gt;.bin     the raw values of the tensors rank r wrote, little-endian, row-major, concatenated
 *   part-&lt;r&gt;.json    {"format": "omnispark-checkpoint-part", "version": 2, "rank": r, "step": S, "bin_length": L,
 *                     "tensors": [{"name", "group": "model"|"optimizer", "expert": g (expert tensors only),
 *                                  "dtype": "float32", "shape": [..], "offset", "length", "crc32c"}, ...]}
 *   checkpoint.json   the commit marker, written LAST by rank 0 once every part is durable:
 *                     {"format": "omnispark-checkpoint", "version": 2, "world_size": N, "training_state": {...},
 *                      "config": {...}, "optimizer": "...", "optimizer_counters": {...},
 *                      "parts": [{"rank", "bin", "bin_length", "index", "index_length", "index_crc32c"}, ...]}
 * </pre>
 *
 * <p>An expert tensor is stored as one entry per global expert id (shape without the expert dimension); every other
 * tensor as one entry. Rank 0 writes the replicated tensors; the ranks of the first replica group write the experts
 * they host. Readers check the marker's lengths and CRCs, then every tensor's CRC32C.
 */
final class CheckpointFormat {

    static final String MARKER = "checkpoint.json";
    static final String FORMAT = "omnispark-checkpoint";
    static final String PART_FORMAT = "omnispark-checkpoint-part";
    static final int VERSION = 2;
    private static final int CHUNK = 1 << 20;

    private CheckpointFormat() {}

    static String binName(int rank) {
        return "part-" + rank + ".bin";
    }

    static String indexName(int rank) {
        return "part-" + rank + ".json";
    }

    /**
     * Writes one rank's part: {@code part-<r>.bin}, then {@code part-<r>.json}, each made durable (hsync where the
     * file system offers it; on object stores a file is durable once closed).
     *
     * @return the part's receipt
     */
    static CheckpointPart writePart(FileSystem fs, Path folder, long step, int rank, List<CheckpointTensor> tensors)
            throws IOException {
        requireLittleEndianHost();
        ObjectNode index = ConfigLoader.json().createObjectNode();
        index.put("format", PART_FORMAT);
        index.put("version", VERSION);
        index.put("rank", rank);
        index.put("step", step);
        ArrayNode entries = ConfigLoader.json().createArrayNode();
        long offset = 0;
        byte[] chunk = new byte[CHUNK];
        try (FSDataOutputStream out = fs.create(new Path(folder, binName(rank)), true)) {
            for (CheckpointTensor tensor : tensors) {
                ByteBuffer bytes = HostSyncs.bytes(tensor.array(), HostSyncs.Kind.CHECKPOINT, false)
                        .order(ByteOrder.LITTLE_ENDIAN);
                int pieces = tensor.localExperts();
                long[] dims = tensor.array().getShape().getShape();
                long[] pieceDims = tensor.isExpertTensor() ? java.util.Arrays.copyOfRange(dims, 1, dims.length) : dims;
                int pieceLength = bytes.remaining() / pieces;
                for (int i = 0; i < pieces; i++) {
                    ByteBuffer piece = bytes.duplicate().position(i * pieceLength).limit((i + 1) * pieceLength);
                    CRC32C crc = new CRC32C();
                    crc.update(piece.duplicate());
                    while (piece.hasRemaining()) {
                        int n = Math.min(chunk.length, piece.remaining());
                        piece.get(chunk, 0, n);
                        out.write(chunk, 0, n);
                    }
                    ObjectNode entry = entries.addObject();
                    entry.put("name", tensor.name());
                    entry.put("group", tensor.group());
                    if (tensor.isExpertTensor()) {
                        entry.put("expert", tensor.firstExpert() + i);
                    }
                    entry.put("dtype", tensor.array().getDataType().name().toLowerCase(Locale.ROOT));
                    ArrayNode shape = entry.putArray("shape");
                    for (long d : pieceDims) {
                        shape.add(d);
                    }
                    entry.put("offset", offset);
                    entry.put("length", pieceLength);
                    entry.put("crc32c", crc.getValue());
                    offset += pieceLength;
                }
            }
            makeDurable(out);
        }
        index.put("bin_length", offset);
        index.set("tensors", entries);
        byte[] indexBytes = ConfigLoader.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(index);
        writeFile(fs, new Path(folder, indexName(rank)), indexBytes, true);
        CRC32C crc = new CRC32C();
        crc.update(indexBytes);
        return new CheckpointPart(rank, offset, indexBytes.length, crc.getValue());
    }

    /** Writes a small file in one go and makes it durable. */
    static void writeFile(FileSystem fs, Path file, byte[] bytes, boolean overwrite) throws IOException {
        try (FSDataOutputStream out = fs.create(file, overwrite)) {
            out.write(bytes);
            makeDurable(out);
        }
    }

    private static void makeDurable(FSDataOutputStream out) throws IOException {
        if (out.hasCapability(StreamCapabilities.HSYNC)) {
            out.hsync();
        } else if (out.hasCapability(StreamCapabilities.HFLUSH)) {
            out.hflush();
        } // else (S3A, ABFS): the data is durable when close() returns
    }

    /** Reads a whole small file, refusing one larger than {@code limit} bytes. */
    static byte[] readFile(FileSystem fs, Path file, long limit) throws IOException {
        long length = fs.getFileStatus(file).getLen();
        if (length > limit) {
            throw new IOException(file + " is " + length + " bytes, more than the " + limit + " a checkpoint index "
                    + "may have; it is not a checkpoint file");
        }
        byte[] bytes = new byte[(int) length];
        try (FSDataInputStream in = fs.open(file)) {
            in.readFully(0, bytes);
        }
        return bytes;
    }

    /** The key of one stored entry: group, name and expert id (-1 for a tensor that is not an expert tensor). */
    static String key(String group, String name, int expert) {
        return group + '\u0000' + name + '\u0000' + expert;
    }

    /** Reads the entries of a part index into {@code into}, keyed by {@link #key}, each tagged with its bin file. */
    static void collectEntries(JsonNode partIndex, Path bin, Map<String, Located> into) {
        for (JsonNode entry : partIndex.get("tensors")) {
            int expert = entry.has("expert") ? entry.get("expert").asInt() : -1;
            into.put(key(entry.get("group").asText(), entry.get("name").asText(), expert), new Located(bin, entry));
        }
    }

    /** An index entry and the bin file holding its bytes. */
    record Located(Path bin, JsonNode entry) {}

    /**
     * Overwrites {@code target.array()} with the stored values (grad mode off for the copy): every expert's entry for
     * an expert tensor, the single entry otherwise. Checks dtype, shape and CRC32C of each entry.
     */
    static void readInto(CheckpointTensor target, Map<String, Located> entries, Map<Path, FSDataInputStream> open,
            FileSystem fs, Path checkpoint) throws IOException {
        NDArray array = target.array();
        long[] dims = array.getShape().getShape();
        long[] pieceDims = target.isExpertTensor() ? java.util.Arrays.copyOfRange(dims, 1, dims.length) : dims;
        int pieces = target.localExperts();
        long pieceBytes = new Shape(pieceDims).size() * array.getDataType().getNumOfBytes();
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(pieceBytes * pieces))
                .order(ByteOrder.LITTLE_ENDIAN);
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, pieceBytes))];
        for (int i = 0; i < pieces; i++) {
            int expert = target.isExpertTensor() ? target.firstExpert() + i : -1;
            Located located = entries.get(key(target.group(), target.name(), expert));
            String what = "'" + target.name() + "'" + (expert >= 0 ? " expert " + expert : "");
            if (located == null) {
                throw new IllegalArgumentException(checkpoint + " has no " + target.group() + " tensor " + what
                        + "; was it written for a different model config?");
            }
            JsonNode entry = located.entry();
            DataType dataType = DataType.valueOf(entry.get("dtype").asText().toUpperCase(Locale.ROOT));
            long[] saved = new long[entry.get("shape").size()];
            for (int d = 0; d < saved.length; d++) {
                saved[d] = entry.get("shape").get(d).asLong();
            }
            if (!new Shape(saved).equals(new Shape(pieceDims)) || dataType != array.getDataType()
                    || entry.get("length").asLong() != pieceBytes) {
                throw new IllegalArgumentException("tensor " + what + " in " + checkpoint + " is " + dataType + " "
                        + new Shape(saved) + " but the model has " + array.getDataType() + " " + new Shape(pieceDims)
                        + "; the checkpoint was written for a different model config");
            }
            FSDataInputStream in = open.get(located.bin());
            if (in == null) {
                in = fs.open(located.bin());
                open.put(located.bin(), in);
            }
            long position = entry.get("offset").asLong();
            CRC32C crc = new CRC32C();
            for (long done = 0; done < pieceBytes; ) {
                int n = (int) Math.min(chunk.length, pieceBytes - done);
                in.readFully(position + done, chunk, 0, n); // EOFException on a truncated file
                crc.update(chunk, 0, n);
                bytes.put(chunk, 0, n);
                done += n;
            }
            if (crc.getValue() != entry.get("crc32c").asLong()) {
                throw new IOException("tensor " + what + " in " + located.bin() + " fails its CRC32C check: the file "
                        + "is corrupt; restore from an older checkpoint");
            }
        }
        bytes.flip();
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            array.set(bytes);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Entries keyed by {@link #key}, restricted to one group, as (name, expert count or 0) for the mismatch check. */
    static Map<String, Integer> namesIn(Map<String, Located> entries, String group) {
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Located located : entries.values()) {
            JsonNode entry = located.entry();
            if (entry.get("group").asText().equals(group)) {
                int experts = entry.has("expert") ? entry.get("expert").asInt() + 1 : 0;
                names.merge(entry.get("name").asText(), experts, Math::max);
            }
        }
        return names;
    }

    private static void requireLittleEndianHost() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("checkpoints are written from little-endian hosts only");
        }
    }
}
