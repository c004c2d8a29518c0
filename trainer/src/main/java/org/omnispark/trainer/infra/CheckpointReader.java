package org.omnispark.trainer.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.config.ConfigLoader;

/**
 * Reads one committed checkpoint ({@link CheckpointFormat}): its marker, the parts it lists (checked against the
 * marker's lengths and CRCs), and the tensors a process asks for, wherever they are.
 */
final class CheckpointReader {

    private static final long MAX_INDEX_BYTES = 256L << 20;

    private final FileSystem fs;
    private final Path checkpoint;

    CheckpointReader(FileSystem fs, Path checkpoint) {
        this.fs = fs;
        this.checkpoint = checkpoint;
    }

    /** @return the commit marker, checked for format and version */
    JsonNode marker() throws IOException {
        Path file = new Path(checkpoint, CheckpointFormat.MARKER);
        JsonNode index;
        try {
            index = ConfigLoader.json().readTree(CheckpointFormat.readFile(fs, file, MAX_INDEX_BYTES));
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(checkpoint + " is not a committed checkpoint (no "
                    + CheckpointFormat.MARKER + "); use CheckpointManager.latest() to find the newest committed one",
                    e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is damaged (not valid JSON: " + e.getOriginalMessage()
                    + "); CheckpointManager.latest() passes over it to the previous committed checkpoint", e);
        }
        if (index == null || !index.isObject()) {
            throw new IllegalArgumentException(file + " is damaged (empty or not a JSON object); "
                    + "CheckpointManager.latest() passes over it to the previous committed checkpoint");
        }
        if (!CheckpointFormat.FORMAT.equals(index.path("format").asText())
                || index.path("version").asInt() != CheckpointFormat.VERSION) {
            throw new IllegalArgumentException(file + " is not an " + CheckpointFormat.FORMAT + " version "
                    + CheckpointFormat.VERSION + " marker (version " + index.path("version").asInt() + "); a "
                    + "version 1 checkpoint (one tensors.bin) comes from an older OmniSpark: retrain, or load it "
                    + "with that version");
        }
        return index;
    }

    /** Fills {@code targets} (and the optimizer's counters) and returns the training state and config. */
    RestoredCheckpoint restore(List<CheckpointTensor> targets, Optimizer optimizer) throws IOException {
        JsonNode marker = marker();
        Map<Path, FSDataInputStream> open = new HashMap<>();
        try {
            Map<String, CheckpointFormat.Located> entries = entries(marker);
            checkNames(entries, targets, CheckpointTensor.MODEL);
            if (optimizer != null) {
                checkNames(entries, targets, CheckpointTensor.OPTIMIZER);
            }
            for (CheckpointTensor target : targets) {
                CheckpointFormat.readInto(target, entries, open, fs, checkpoint);
            }
            if (optimizer != null) {
                Map<String, Long> counters = new LinkedHashMap<>();
                marker.get("optimizer_counters").fields().forEachRemaining(e -> counters.put(e.getKey(),
                        e.getValue().asLong()));
                optimizer.restoreCounters(counters);
            }
        } finally {
            for (FSDataInputStream in : open.values()) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // read-only stream
                }
            }
        }
        TrainingState state = ConfigLoader.bind(marker.get("training_state"), TrainingState.class,
                new Path(checkpoint, CheckpointFormat.MARKER).toString());
        return new RestoredCheckpoint(checkpoint, state, marker.get("config"));
    }

    /** Every part's index entries, after checking each part against the marker. */
    private Map<String, CheckpointFormat.Located> entries(JsonNode marker) throws IOException {
        Map<String, CheckpointFormat.Located> entries = new HashMap<>();
        for (JsonNode part : marker.get("parts")) {
            Path bin = new Path(checkpoint, part.get("bin").asText());
            Path index = new Path(checkpoint, part.get("index").asText());
            byte[] indexBytes = CheckpointFormat.readFile(fs, index, MAX_INDEX_BYTES);
            CRC32C crc = new CRC32C();
            crc.update(indexBytes);
            long binLength = fs.getFileStatus(bin).getLen();
            if (indexBytes.length != part.get("index_length").asLong()
                    || crc.getValue() != part.get("index_crc32c").asLong()
                    || binLength != part.get("bin_length").asLong()) {
                throw new IOException("the part of rank " + part.get("rank").asInt() + " in " + checkpoint
                        + " does not match its commit marker (changed or truncated after the commit); restore "
                        + "from an older checkpoint");
            }
            CheckpointFormat.collectEntries(ConfigLoader.json().readTree(indexBytes), bin, entries);
        }
        return entries;
    }

    private void checkNames(Map<String, CheckpointFormat.Located> entries, List<CheckpointTensor> targets,
            String group) {
        Map<String, Integer> saved = CheckpointFormat.namesIn(entries, group);
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (CheckpointTensor t : targets) {
            if (t.group().equals(group)) {
                wanted.put(t.name(), t.numExperts());
            }
        }
        if (!saved.keySet().equals(wanted.keySet())) {
            TreeSet<String> missing = new TreeSet<>(wanted.keySet());
            missing.removeAll(saved.keySet());
            TreeSet<String> unexpected = new TreeSet<>(saved.keySet());
            unexpected.removeAll(wanted.keySet());
            throw new IllegalArgumentException("the " + group + " tensors in " + checkpoint + " do not match: "
                    + "missing " + missing + ", unexpected " + unexpected + "; was it written for a different model "
                    + "config?");
        }
        for (Map.Entry<String, Integer> w : wanted.entrySet()) {
            if (!w.getValue().equals(saved.get(w.getKey()))) {
                throw new IllegalArgumentException("'" + w.getKey() + "' in " + checkpoint + " has "
                        + saved.get(w.getKey()) + " experts but the model has " + w.getValue() + "; was it written "
                        + "for a different model config?");
            }
        }
    }
}
