package org.omnispark.trainer.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.io.CommitFile;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Saves and restores training checkpoints in one folder of any Hadoop file system (local, HDFS, S3A, ...), written
 * by one or many ranks, keeping the last K.
 *
 * <pre>
 *   &lt;dir&gt;/ckpt-&lt;step&gt;/part-&lt;r&gt;.bin, .json   what rank r wrote (layout: {@link CheckpointFormat})
 *   &lt;dir&gt;/ckpt-&lt;step&gt;/checkpoint.json      the commit marker, written last
 * </pre>
 *
 * <p>The protocol, with no rename (object stores cannot rename atomically): rank 0 clears the step's folder ({@link
 * #begin}); every rank writes its part and makes it durable ({@link #writePart}); once every rank has reported its
 * part, rank 0 checks their lengths and writes the marker ({@link #commit}). A folder without its marker is never
 * loaded: {@link #latest} is the newest folder WITH one. After a commit, older checkpoints beyond {@code keep} and
 * every unmarked folder of an older step are deleted, marker first (so a half-deleted checkpoint is never loaded).
 * In one process the three calls are {@link #save}.
 */
public final class CheckpointManager {

    private static final Pattern CKPT = Pattern.compile("ckpt-(\\d+)");

    private final Path directory;
    private final int keep;
    private final Configuration conf;
    /** Who may commit and prune here; null: anyone (one process, tests, export and eval read only). */
    private final CheckpointLease lease;
    /** Test hook: runs after every part is written and before the marker (a throw simulates a crash). */
    Runnable beforeCommit = () -> {};

    private CheckpointManager(Builder builder) {
        this.directory = builder.directory;
        this.keep = builder.keep;
        this.conf = builder.conf != null ? builder.conf : new Configuration();
        this.lease = builder.lease;
    }

    /** Fails when a lease is set and no longer owns the folder. */
    private void checkOwner(String what) {
        if (lease != null) {
            lease.verify(what);
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the checkpoint folder */
    public Path directory() {
        return directory;
    }

    /** @param step a step @return the folder of that step's checkpoint (committed or not) */
    public Path folder(long step) {
        return new Path(directory, "ckpt-" + step);
    }

    /**
     * Saves a checkpoint of one process holding every parameter ({@link #begin}, {@link #writePart} as rank 0,
     * {@link #commit}).
     *
     * @param parameters the model's parameters (each once; keyed by name)
     * @param optimizer the optimizer whose state to save, or null to save the model only
     * @param state the training position
     * @param config a Jackson-serializable config (record, map or JsonNode) stored as JSON, or null
     * @return the committed checkpoint folder
     */
    public Path save(List<ModelParameter> parameters, Optimizer optimizer, TrainingState state, Object config) {
        if (!begin(state.step())) {
            return folder(state.step());
        }
        CheckpointPart part = writePart(state.step(), 0, CheckpointTensor.of(parameters, optimizer));
        return commit(state.step(), List.of(part), state, config, optimizer == null ? "" : optimizer.toString(),
                optimizer == null ? Map.of() : optimizer.stateCounters());
    }

    /**
     * Starts a checkpoint (rank 0, before any rank writes its part): removes what an earlier, crashed attempt left
     * in this step's folder. A checkpoint of this step that is already committed (a run resumed from it that saves
     * again at the same step) is kept as it is, never deleted: nothing is to be written then.
     *
     * @param step the step being saved
     * @return true when the ranks are to write the checkpoint, false when a committed one of this step exists
     */
    public boolean begin(long step) {
        try {
            FileSystem fs = fs();
            Path folder = folder(step);
            if (CheckpointFolders.markerProblem(fs, folder) == null) {
                return false;
            }
            checkOwner("clear " + folder);
            fs.delete(new Path(folder, CheckpointFormat.MARKER), false);
            fs.delete(folder, true);
            fs.mkdirs(folder);
            return true;
        } catch (IOException e) {
            throw failure("cannot start checkpoint " + folder(step), e);
        }
    }

    /**
     * Writes one rank's part of a checkpoint and makes it durable.
     *
     * @param step the step being saved
     * @param rank this rank
     * @param tensors what this rank saves (rank 0: the replicated tensors; ranks of the first replica group: their
     *     experts)
     * @return the receipt to report to rank 0
     */
    public CheckpointPart writePart(long step, int rank, List<CheckpointTensor> tensors) {
        try {
            return CheckpointFormat.writePart(fs(), folder(step), step, rank, tensors);
        } catch (IOException e) {
            throw failure("rank " + rank + " cannot write its part of checkpoint " + folder(step), e);
        }
    }

    /**
     * Commits a checkpoint (rank 0, after every rank reported its part): checks each part's length on the file
     * system, writes the marker, then prunes.
     *
     * @param step the step being saved
     * @param parts every rank's receipt, in rank order
     * @param state the training position
     * @param config a Jackson-serializable config, or null
     * @param optimizerName a description of the optimizer
     * @param optimizerCounters the optimizer's counters
     * @return the committed folder
     */
    public Path commit(long step, List<CheckpointPart> parts, TrainingState state, Object config,
            String optimizerName, Map<String, Long> optimizerCounters) {
        Path folder = folder(step);
        try {
            FileSystem fs = fs();
            ObjectMapper json = ConfigLoader.json();
            ObjectNode marker = json.createObjectNode();
            marker.put("format", CheckpointFormat.FORMAT);
            marker.put("version", CheckpointFormat.VERSION);
            marker.put("world_size", parts.size());
            marker.set("training_state", json.valueToTree(state));
            marker.set("config", config == null ? json.createObjectNode() : json.valueToTree(config));
            marker.put("optimizer", optimizerName);
            marker.set("optimizer_counters", json.valueToTree(optimizerCounters));
            ArrayNode list = marker.putArray("parts");
            for (CheckpointPart part : parts) {
                long bin = fs.getFileStatus(new Path(folder, CheckpointFormat.binName(part.rank()))).getLen();
                long index = fs.getFileStatus(new Path(folder, CheckpointFormat.indexName(part.rank()))).getLen();
                if (bin != part.binLength() || index != part.indexLength()) {
                    throw new IOException("rank " + part.rank() + " reported " + part.binLength() + " + "
                            + part.indexLength() + " bytes but the file system shows " + bin + " + " + index);
                }
                ObjectNode p = list.addObject();
                p.put("rank", part.rank());
                p.put("bin", CheckpointFormat.binName(part.rank()));
                p.put("bin_length", part.binLength());
                p.put("index", CheckpointFormat.indexName(part.rank()));
                p.put("index_length", part.indexLength());
                p.put("index_crc32c", part.indexCrc32c());
            }
            beforeCommit.run();
            checkOwner("commit " + folder);
            // whole or absent: a writer dying mid-write must not leave a "committed" partial marker
            CommitFile.write(fs, new Path(folder, CheckpointFormat.MARKER),
                    json.writerWithDefaultPrettyPrinter().writeValueAsBytes(marker));
            prune(fs, step);
            return folder;
        } catch (IOException e) {
            throw failure("cannot commit checkpoint " + folder, e);
        }
    }

    /**
     * The newest committed checkpoint whose marker can be read. A newer folder whose marker exists but cannot be
     * parsed (damaged, or from another format) is passed over, and said so on standard error, so that a resume
     * falls back to the previous committed checkpoint instead of failing on every retry.
     *
     * @return the newest readable committed checkpoint, if any
     */
    public Optional<Path> latest() {
        try {
            return CheckpointFolders.latest(fs(), directory);
        } catch (IOException e) {
            throw failure("cannot list checkpoints in " + directory, e);
        }
    }

    /** @return the checkpoints with a commit marker in this folder (readable or not), oldest first */
    public List<Path> list() {
        try {
            return CheckpointFolders.committed(fs(), directory);
        } catch (IOException e) {
            throw failure("cannot list checkpoints in " + directory, e);
        }
    }

    /**
     * Restores a checkpoint written by any number of ranks into one process holding every parameter.
     *
     * @param checkpoint a committed {@code ckpt-N} folder (e.g. from {@link #latest()})
     * @param parameters the model's parameters, overwritten in place
     * @param optimizer the optimizer to restore, or null to load the model only
     * @return the training state and config saved with it
     */
    public RestoredCheckpoint restore(Path checkpoint, List<ModelParameter> parameters, Optimizer optimizer) {
        return restoreTensors(checkpoint, CheckpointTensor.of(parameters, optimizer), optimizer);
    }

    /**
     * Restores the tensors one process holds (e.g. one rank's experts) from a checkpoint written by any number of
     * ranks. Every model tensor of the checkpoint must be among the targets (an expert tensor with the same expert
     * count) and vice versa; errors name the offending tensors.
     *
     * @param checkpoint a committed {@code ckpt-N} folder
     * @param targets the tensors to overwrite; optimizer tensors only when restoring the optimizer
     * @param optimizer whose counters to restore, or null
     * @return the training state and config saved with it
     */
    public RestoredCheckpoint restoreTensors(Path checkpoint, List<CheckpointTensor> targets, Optimizer optimizer) {
        try {
            return new CheckpointReader(fs(), checkpoint).restore(targets, optimizer);
        } catch (IOException e) {
            throw failure("cannot read checkpoint " + checkpoint, e);
        }
    }

    /**
     * Reads a checkpoint's commit marker ({@code checkpoint.json}) without touching tensors, e.g. to read its config.
     *
     * @param checkpoint a {@code ckpt-N} folder
     * @return the parsed marker
     */
    public JsonNode readIndex(Path checkpoint) {
        try {
            return new CheckpointReader(fs(), checkpoint).marker();
        } catch (IOException e) {
            throw failure("cannot read checkpoint " + checkpoint, e);
        }
    }

    private void prune(FileSystem fs, long committedStep) throws IOException {
        checkOwner("prune old checkpoints");
        CheckpointFolders.prune(fs, directory, committedStep, keep);
    }

    private FileSystem fs() throws IOException {
        FileSystem fs = directory.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs; // no .crc side files: parts carry CRCs
    }

    /**
     * The step of a checkpoint folder: the one place that parses {@code ckpt-N} names.
     *
     * @param checkpoint a {@code ckpt-N} folder
     * @return N, or -1 when the name is not a checkpoint's
     */
    public static long stepOf(Path checkpoint) {
        Matcher m = CKPT.matcher(checkpoint.getName());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * @param local a local path
     * @return it as a {@code file:} Hadoop path (never resolved against {@code fs.defaultFS})
     */
    public static Path localPath(java.nio.file.Path local) {
        return new Path("file", null, local.toAbsolutePath().normalize().toString());
    }

    static UncheckedIOException failure(String what, IOException e) {
        return new UncheckedIOException(what + ": " + e.getMessage() + "; check that the folder is reachable and "
                + "writable from every rank (a shared file system: HDFS, S3A, NFS) and has free space", e);
    }

    /** Builder: {@link #setDirectory} is required. */
    public static final class Builder {
        private Path directory;
        private int keep = 5;
        private Configuration conf;
        private CheckpointLease lease;

        /**
         * @param lease the lease this writer holds ({@link CheckpointLease#claim}); commits and pruning fail once it
         *     no longer owns the folder
         * @return this
         */
        public Builder optLease(CheckpointLease lease) {
            this.lease = lease;
            return this;
        }

        /**
         * @param directory the checkpoint folder, a local path or any Hadoop file system URI (hdfs://, s3a://)
         * @return this
         */
        public Builder setDirectory(String directory) {
            return setDirectory(new Path(directory));
        }

        /** @param directory the checkpoint folder on any Hadoop file system @return this */
        public Builder setDirectory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** @param directory a local checkpoint folder @return this */
        public Builder setDirectory(java.nio.file.Path directory) {
            return setDirectory(localPath(directory));
        }

        /** @param keep how many committed checkpoints to keep, default 5 @return this */
        public Builder optKeep(int keep) {
            this.keep = keep;
            return this;
        }

        /**
         * @param conf the Hadoop configuration (default: {@code new Configuration()}, i.e. core-site.xml)
         * @return this
         */
        public Builder optConfiguration(Configuration conf) {
            this.conf = conf;
            return this;
        }

        /** @return the manager */
        public CheckpointManager build() {
            if (directory == null) {
                throw new IllegalArgumentException("setDirectory is required, e.g. exp/run1/checkpoints or "
                        + "hdfs://namenode/exp/run1/checkpoints");
            }
            if (keep < 1) {
                throw new IllegalArgumentException("keep must be >= 1 (checkpoint.keep), got " + keep);
            }
            return new CheckpointManager(this);
        }
    }
}
