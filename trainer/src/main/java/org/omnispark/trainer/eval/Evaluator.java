package org.omnispark.trainer.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.data.text.Tokenizer;
import org.omnispark.trainer.analysis.RoutingPlots;
import org.omnispark.trainer.analysis.RoutingReport;
import org.omnispark.trainer.analysis.RoutingStatistics;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.infra.CheckpointManager;

/**
 * Decodes a prepared dataset with a trained model and scores it: loads the model and its checkpoint, runs each mode
 * ({@link ModeDecoder}), collects the routing statistics, writes the report ({@link EvalReportWriter}) and places the
 * outputs.
 *
 * <pre>
 *   OUT/report.json                 per mode: WER, CER, S/D/I/N (words and characters), utterances, audio seconds,
 *                                   decode seconds, RTF; model folder, checkpoint, config, OmniSpark version/commit
 *   OUT/&lt;mode&gt;/hyp.trn, ref.trn   sclite trn files ("text (utterance-id)")
 *   OUT/&lt;mode&gt;/utterances.tsv     per-utterance error counts (UtteranceCountsFile)
 *   OUT/routing.json + *.png         encoder expert usage and cross-layer agreement (MoE models; first batched mode)
 * </pre>
 *
 * Non-streaming modes encode whole batches with full context, or with {@code new Choice(decodingChunkSize,
 * numDecodingLeftChunks)} masks when a chunk size is set; streaming encodes each utterance chunk by chunk with caches
 * (it needs a causal Conformer or a Transformer), then CTC greedy. The decode time covers the encoder and the search
 * (not reading shards or scoring), measured per mode.
 */
public final class Evaluator {

    /** The chunk streaming decodes with when none is set (WeNet's usual 16 output frames). */
    public static final int DEFAULT_STREAMING_CHUNK = ModeDecoder.DEFAULT_STREAMING_CHUNK;

    private final Location modelDir;
    private final Location data;
    private final Location output;
    private final Storage storage;
    private final String checkpoint;
    private final List<DecodeMode> modes;
    private final int beamSize;
    private final int decodingChunkSize;
    private final int numDecodingLeftChunks;
    private final int maxFramesPerBatch;
    private final int maxBatchSize;

    private Evaluator(Builder b) {
        this.modelDir = b.modelDir;
        this.data = b.data;
        this.output = b.output;
        this.storage = Storage.of(b.hadoopConf != null ? b.hadoopConf : new org.apache.hadoop.conf.Configuration());
        this.checkpoint = b.checkpoint;
        this.modes = List.copyOf(b.modes);
        this.beamSize = b.beamSize;
        this.decodingChunkSize = b.decodingChunkSize;
        this.numDecodingLeftChunks = b.numDecodingLeftChunks;
        this.maxFramesPerBatch = b.maxFramesPerBatch;
        this.maxBatchSize = b.maxBatchSize;
    }

    /** @return a builder; setModelDir and setData are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs every mode and writes the outputs. They are written into a local folder first when the output folder is
     * on another file system, and copied there at the end.
     *
     * @return the results
     */
    public EvalReport run() {
        Engine.getEngine("PyTorch");
        ModelDirectory dir = ModelDirectory.read(storage, modelDir);
        CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir.checkpointDirectory())
                .optConfiguration(storage.conf()).build();
        org.apache.hadoop.fs.Path ckpt = checkpoint != null ? new org.apache.hadoop.fs.Path(checkpoint)
                : checkpoints.latest().orElseThrow(() -> new IllegalStateException("No committed checkpoint in "
                        + dir.checkpointDirectory() + "; train first or pass --checkpoint"));
        Tokenizer tokenizer = dir.tokenizer(storage);
        Location target = output != null ? output : modelDir.resolve("eval");
        Path out;
        try {
            out = target.isLocal() ? target.toLocalPath() : Files.createTempDirectory("omnispark-eval-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a local folder for the outputs: " + e.getMessage(), e);
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            U2Model model = dir.newModel(root);
            checkpoints.restore(ckpt, model.parameters(), null);
            RoutingStatistics routing = null;
            if (model.config().encoderConf().ffn().isMoe()) {
                int blocks = model.encoder().layers().size()
                        * (model.encoder().config().macaron() && model.config().encoder().equals("conformer") ? 2 : 1);
                routing = RoutingStatistics.builder().setNumLayers(blocks)
                        .setNumExperts(model.config().encoderConf().ffn().numExperts()).build();
            }
            ModeDecoder decoder = new ModeDecoder(data, storage.conf(), beamSize, decodingChunkSize,
                    numDecodingLeftChunks, maxFramesPerBatch, maxBatchSize);
            List<ModeResult> results = new ArrayList<>();
            boolean routingDone = false;
            for (DecodeMode mode : modes) {
                boolean collect = routing != null && !routingDone && mode != DecodeMode.STREAMING;
                results.add(decoder.decode(model, root, tokenizer, mode, collect ? routing : null, out, target));
                routingDone |= collect;
            }
            Path routingFile = null;
            if (routing != null && routingDone) {
                RoutingReport report = routing.report();
                routingFile = out.resolve("routing.json");
                report.writeJson(routingFile);
                RoutingPlots.writeAll(report, out);
            }
            Path reportFile = EvalReportWriter.write(out, new EvalReportWriter.Run(modelDir, dir, ckpt, data, beamSize,
                    decodingChunkSize, numDecodingLeftChunks), results);
            if (!target.isLocal()) {
                storage.uploadFolder(out, target);
            }
            return new EvalReport(results, place(out, target, reportFile),
                    routingFile == null ? null : place(out, target, routingFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the outputs to " + target + ": " + e.getMessage(), e);
        } finally {
            JniUtils.setGradMode(gradMode);
            if (!target.isLocal()) {
                deleteLocalCopy(out); // the outputs are at the target now (or the run failed): nothing stays here
            }
        }
    }

    /** Deletes the local folder the outputs for a remote target were written to first. */
    private static void deleteLocalCopy(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("eval: cannot delete the local copy of the outputs in " + dir + ": " + e.getMessage());
        }
    }

    /** Where a file written into the local folder {@code out} ends up in {@code target}. */
    static Location place(Path out, Location target, Path file) {
        return target.resolve(out.relativize(file).toString().replace(java.io.File.separatorChar, '/'));
    }

    /** Builder of {@link Evaluator}. */
    public static final class Builder {
        private Location modelDir;
        private Location data;
        private Location output;
        private org.apache.hadoop.conf.Configuration hadoopConf;
        private String checkpoint;
        private List<DecodeMode> modes = List.of(DecodeMode.CTC_GREEDY, DecodeMode.ATTENTION_RESCORING);
        private int beamSize = 10;
        private int decodingChunkSize;
        private int numDecodingLeftChunks = -1;
        private int maxFramesPerBatch = 12000;
        private int maxBatchSize = 16;

        /** @param dir a {@code train --out} folder, on any Hadoop file system @return this */
        public Builder setModelDir(Location dir) {
            this.modelDir = dir;
            return this;
        }

        /** @param dir a local {@code train --out} folder @return this */
        public Builder setModelDir(Path dir) {
            return setModelDir(Location.of(dir));
        }

        /** @param dataset a prepared dataset folder, on any Hadoop file system @return this */
        public Builder setData(Location dataset) {
            this.data = dataset;
            return this;
        }

        /** @param dataset a local prepared dataset folder @return this */
        public Builder setData(Path dataset) {
            return setData(Location.of(dataset));
        }

        /** @param dir where outputs go, default {@code MODEL_DIR/eval}, on any Hadoop file system @return this */
        public Builder optOutput(Location dir) {
            this.output = dir;
            return this;
        }

        /** @param dir a local folder for the outputs @return this */
        public Builder optOutput(Path dir) {
            return optOutput(dir == null ? null : Location.of(dir));
        }

        /**
         * @param conf the Hadoop configuration of the model, data and output folders (default: {@code new
         *     Configuration()}); the CLI passes the session's
         * @return this
         */
        public Builder optHadoopConfiguration(org.apache.hadoop.conf.Configuration conf) {
            this.hadoopConf = conf;
            return this;
        }

        /** @param ckpt a committed ckpt-N folder, default the latest @return this */
        public Builder optCheckpoint(Path ckpt) {
            this.checkpoint = ckpt == null ? null : CheckpointManager.localPath(ckpt).toString();
            return this;
        }

        /** @param ckpt a committed ckpt-N folder on any Hadoop file system (hdfs://...) @return this */
        public Builder optCheckpoint(String ckpt) {
            this.checkpoint = ckpt;
            return this;
        }

        /** @param modes default ctc_greedy, attention_rescoring @return this */
        public Builder optModes(List<DecodeMode> modes) {
            this.modes = List.copyOf(modes);
            return this;
        }

        /** @param beamSize CTC prefix beam, default 10 @return this */
        public Builder optBeamSize(int beamSize) {
            this.beamSize = beamSize;
            return this;
        }

        /**
         * @param chunk decoding_chunk_size in output frames (0 = full context for batched modes; streaming needs
         *     &gt; 0), default 0
         * @param leftChunks num_decoding_left_chunks, negative = all, default -1
         * @return this
         */
        public Builder optDecodingChunk(int chunk, int leftChunks) {
            this.decodingChunkSize = chunk;
            this.numDecodingLeftChunks = leftChunks;
            return this;
        }

        /**
         * @param maxFrames padded frames per batch, default 12000
         * @param maxSize utterances per batch, default 16
         * @return this
         */
        public Builder optBatch(int maxFrames, int maxSize) {
            this.maxFramesPerBatch = maxFrames;
            this.maxBatchSize = maxSize;
            return this;
        }

        /** @return the evaluator */
        public Evaluator build() {
            if (modelDir == null || data == null) {
                throw new IllegalStateException("Evaluator needs setModelDir (a train --out folder) and setData");
            }
            if (modes.isEmpty() || beamSize < 1 || decodingChunkSize < 0) {
                throw new IllegalStateException("Need at least one mode, beamSize >= 1 and a chunk size >= 0");
            }
            return new Evaluator(this);
        }
    }
}
