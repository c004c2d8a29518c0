package org.omnispark.trainer.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Saves and restores training checkpoints in one folder, atomically, keeping the last K.
 *
 * <pre>
 *   &lt;dir&gt;/ckpt-&lt;step&gt;/     one complete checkpoint (layout: {@link CheckpointFormat})
 *   &lt;dir&gt;/latest              the folder name of the newest complete checkpoint, e.g. "ckpt-1200\n"
 * </pre>
 *
 * <p>A save writes into {@code .ckpt-<step>.tmp}, fsyncs the files and the folder, renames it to {@code ckpt-<step>}
 * (an atomic rename on one file system), then replaces {@code latest} by writing {@code .latest.tmp} and renaming it.
 * A crash at any point leaves {@code latest} naming the previous complete checkpoint; leftover temp folders are
 * removed by the next save. After {@code latest} is updated, all but the newest {@code keep} checkpoints are deleted.
 * One writer per folder (rank 0); readers may run concurrently.
 */
public final class CheckpointManager {

    private static final Pattern CKPT = Pattern.compile("ckpt-(\\d+)");
    private static final String LATEST = "latest";

    private final Path directory;
    private final int keep;
    /** Test hook: runs after the temp folder is complete and before the rename (a throw simulates a crash). */
    Runnable beforeCommit = () -> {};

    private CheckpointManager(Builder builder) {
        this.directory = builder.directory;
        this.keep = builder.keep;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the checkpoint folder */
    public Path directory() {
        return directory;
    }

    /**
     * Saves a checkpoint named after {@code state.step()}.
     *
     * @param parameters the model's parameters (each once; keyed by name)
     * @param optimizer the optimizer whose state to save, or null to save the model only
     * @param state the training position
     * @param config a Jackson-serializable config (record, map or JsonNode) stored as JSON, or null
     * @return the committed checkpoint folder
     */
    public Path save(List<ModelParameter> parameters, Optimizer optimizer, TrainingState state, Object config) {
        Map<String, NDArray> model = new LinkedHashMap<>();
        for (ModelParameter p : parameters) {
            if (model.put(p.name(), p.array()) != null) {
                throw new IllegalArgumentException("two parameters are named '" + p.name() + "'; checkpoints "
                        + "key tensors by name, so give every parameter a unique name");
            }
        }
        return save(model, optimizer == null ? Map.of() : optimizer.stateTensors(),
                optimizer == null ? Map.of() : optimizer.stateCounters(),
                optimizer == null ? "" : optimizer.toString(), state, config);
    }

    /**
     * Saves a checkpoint from named tensors (e.g. expert tensors gathered from every rank).
     *
     * @param model parameter name to tensor
     * @param optimizerState optimizer state name to tensor
     * @param optimizerCounters the optimizer's counters
     * @param optimizerName a description of the optimizer
     * @param state the training position
     * @param config a Jackson-serializable config, or null
     * @return the committed checkpoint folder
     */
    public Path save(Map<String, NDArray> model, Map<String, NDArray> optimizerState,
            Map<String, Long> optimizerCounters, String optimizerName, TrainingState state, Object config) {
        String name = "ckpt-" + state.step();
        Path temp = directory.resolve("." + name + ".tmp");
        Path target = directory.resolve(name);
        try {
            Files.createDirectories(directory);
            removeTempFolders();
            Files.createDirectory(temp);
            Map<String, Map<String, NDArray>> groups = new LinkedHashMap<>();
            groups.put("model", model);
            groups.put("optimizer", optimizerState);
            ObjectMapper json = ConfigLoader.json();
            ObjectNode index = json.createObjectNode();
            index.put("format", CheckpointFormat.FORMAT);
            index.put("version", CheckpointFormat.VERSION);
            index.set("training_state", json.valueToTree(state));
            index.set("config", config == null ? json.createObjectNode() : json.valueToTree(config));
            index.put("optimizer", optimizerName);
            index.set("optimizer_counters", json.valueToTree(optimizerCounters));
            index.set("tensors", CheckpointFormat.writeTensors(temp, groups));
            writeSynced(temp.resolve(CheckpointFormat.INDEX), json.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(index));
            fsyncDirectory(temp);
            beforeCommit.run();
            if (Files.exists(target)) { // re-saving a step: move the old copy aside first
                Path old = directory.resolve("." + name + ".old.tmp");
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            Path latestTemp = directory.resolve(".latest.tmp");
            Files.deleteIfExists(latestTemp);
            writeSynced(latestTemp, (name + "\n").getBytes(StandardCharsets.UTF_8));
            Files.move(latestTemp, directory.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(directory);
            removeTempFolders();
            prune();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save checkpoint " + target + ": " + e.getMessage()
                    + "; check free disk space and permissions", e);
        }
    }

    /** @return the checkpoint {@code latest} points to, if any */
    public Optional<Path> latest() {
        Path pointer = directory.resolve(LATEST);
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        try {
            String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
            if (!CKPT.matcher(name).matches()) {
                throw new IllegalStateException(pointer + " holds '" + name + "', not a checkpoint name; delete it "
                        + "and point it at a ckpt-N folder");
            }
            return Optional.of(directory.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the complete checkpoints in this folder, oldest first */
    public List<Path> list() {
        List<Path> result = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return result;
        }
        try (Stream<Path> children = Files.list(directory)) {
            children.filter(p -> CKPT.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.exists(p.resolve(CheckpointFormat.INDEX)))
                    .sorted(Comparator.comparingLong(CheckpointManager::stepOf))
                    .forEach(result::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    /**
     * Restores a checkpoint into live parameters and optimizer. Every parameter must be in the checkpoint with the
     * same shape and data type, and vice versa (errors name the offending tensors).
     *
     * @param checkpoint a {@code ckpt-N} folder (e.g. from {@link #latest()})
     * @param parameters the model's parameters, overwritten in place
     * @param optimizer the optimizer to restore, or null to load the model only
     * @return the training state and config saved with it
     */
    public static RestoredCheckpoint restore(Path checkpoint, List<ModelParameter> parameters, Optimizer optimizer) {
        Map<String, NDArray> model = new LinkedHashMap<>();
        for (ModelParameter p : parameters) {
            model.put(p.name(), p.array());
        }
        return restore(checkpoint, model, optimizer == null ? null : optimizer.stateTensors(), optimizer);
    }

    /**
     * Restores a checkpoint into named tensors (e.g. full-size buffers a rank then takes its experts from).
     *
     * @param checkpoint a {@code ckpt-N} folder
     * @param model parameter name to the tensor to overwrite; must match the checkpoint's names, shapes and types
     * @param optimizerState optimizer state name to tensor, or null to skip the optimizer
     * @param optimizer whose counters to restore, or null
     * @return the training state and config saved with it
     */
    public static RestoredCheckpoint restore(Path checkpoint, Map<String, NDArray> model,
            Map<String, NDArray> optimizerState, Optimizer optimizer) {
        JsonNode index = readIndex(checkpoint);
        try (FileChannel in = FileChannel.open(checkpoint.resolve(CheckpointFormat.TENSORS), StandardOpenOption.READ)) {
            restoreGroup(in, checkpoint, CheckpointFormat.entries(index, "model"), model, "model parameters");
            if (optimizerState != null) {
                restoreGroup(in, checkpoint, CheckpointFormat.entries(index, "optimizer"), optimizerState,
                        "optimizer state");
            }
            if (optimizer != null) {
                Map<String, Long> counters = new LinkedHashMap<>();
                index.get("optimizer_counters").fields().forEachRemaining(e -> counters.put(e.getKey(),
                        e.getValue().asLong()));
                optimizer.restoreCounters(counters);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + checkpoint + ": " + e.getMessage(), e);
        }
        TrainingState state = ConfigLoader.bind(index.get("training_state"), TrainingState.class,
                checkpoint.resolve(CheckpointFormat.INDEX).toString());
        return new RestoredCheckpoint(checkpoint, state, index.get("config"));
    }

    /**
     * Reads a checkpoint's index ({@code checkpoint.json}) without touching tensors, e.g. to read its config.
     *
     * @param checkpoint a {@code ckpt-N} folder
     * @return the parsed index
     */
    public static JsonNode readIndex(Path checkpoint) {
        Path file = checkpoint.resolve(CheckpointFormat.INDEX);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(checkpoint + " is not a complete checkpoint (no "
                    + CheckpointFormat.INDEX + "); use CheckpointManager.latest() to find the newest complete one");
        }
        try {
            JsonNode index = ConfigLoader.json().readTree(file.toFile());
            if (!CheckpointFormat.FORMAT.equals(index.path("format").asText())
                    || index.path("version").asInt() != CheckpointFormat.VERSION) {
                throw new IllegalArgumentException(file + " is not an " + CheckpointFormat.FORMAT + " version "
                        + CheckpointFormat.VERSION + " index");
            }
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void restoreGroup(FileChannel in, Path checkpoint, Map<String, JsonNode> saved,
            Map<String, NDArray> targets, String what) throws IOException {
        if (!saved.keySet().equals(targets.keySet())) {
            TreeSet<String> missing = new TreeSet<>(targets.keySet());
            missing.removeAll(saved.keySet());
            TreeSet<String> unexpected = new TreeSet<>(saved.keySet());
            unexpected.removeAll(targets.keySet());
            throw new IllegalArgumentException("the " + what + " in " + checkpoint + " do not match: missing "
                    + missing + ", unexpected " + unexpected + "; was it written for a different model config?");
        }
        for (Map.Entry<String, NDArray> target : targets.entrySet()) {
            CheckpointFormat.readInto(in, saved.get(target.getKey()), target.getValue(), checkpoint);
        }
    }

    private void prune() throws IOException {
        List<Path> all = list();
        Path latest = latest().orElse(null);
        for (int i = 0; i < all.size() - keep; i++) {
            if (!all.get(i).equals(latest)) { // resumed from an older step: never delete what latest names
                deleteRecursively(all.get(i));
            }
        }
    }

    private void removeTempFolders() throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory, ".ckpt-*.tmp")) {
            for (Path temp : temps) {
                deleteRecursively(temp);
            }
        }
    }

    private static long stepOf(Path checkpoint) {
        Matcher m = CKPT.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
    }

    private static void fsyncDirectory(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the renames are still atomic there.
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Builder: {@link #setDirectory} is required. */
    public static final class Builder {
        private Path directory;
        private int keep = 5;

        /** @param directory the checkpoint folder (created if absent) @return this */
        public Builder setDirectory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** @param keep how many checkpoints to keep, default 5 @return this */
        public Builder optKeep(int keep) {
            this.keep = keep;
            return this;
        }

        /** @return the manager */
        public CheckpointManager build() {
            if (directory == null) {
                throw new IllegalArgumentException("setDirectory is required, e.g. exp/run1/checkpoints");
            }
            if (keep < 1) {
                throw new IllegalArgumentException("keep must be >= 1 (checkpoint.keep), got " + keep);
            }
            return new CheckpointManager(this);
        }
    }
}
