package org.omnispark.trainer.loop;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.parallel.ExpertCheckpoints;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.parallel.ProcessGroup;
import org.omnispark.trainer.infra.CheckpointLease;
import org.omnispark.trainer.infra.CheckpointManager;
import org.omnispark.trainer.infra.JsonLinesMetricsWriter;
import org.omnispark.trainer.infra.LearningRateSchedule;
import org.omnispark.trainer.infra.Optimizer;
import org.omnispark.trainer.infra.Optimizers;
import org.omnispark.trainer.infra.StepMetrics;
import org.omnispark.trainer.infra.TensorBoardWriter;
import org.omnispark.trainer.infra.TrainingState;

/**
 * Trains a {@link U2Model} in one process on one device, resuming from the newest checkpoint in the output folder.
 *
 * <pre>
 *   for each epoch (BucketedBatches seeded by (seed, epoch); on resume the consumed batches are skipped):
 *     for each micro-batch, in a sub-manager closed right after it:
 *       grad mode on; seed dropout from (seed, counter); losses = model.forward(batch, true, counter)
 *       backward(total / accum_grad); grad mode off
 *     every accum_grad micro-batches: clip global norm; Adam step with schedule.learningRate(step + 1)
 *       (skipped when the norm is not finite); zero gradients; metrics every log_interval;
 *       validation every valid_interval (0: per epoch); checkpoint every checkpoint.interval (0: per epoch)
 *   final checkpoint at the end (max_steps or max_epochs)
 * </pre>
 *
 * Device: {@code device: cpu}, or {@code gpu} when DJL sees a GPU; a GPU needs DJL's CUDA build of libtorch on the
 * classpath or in {@code PYTORCH_LIBRARY_PATH} instead of the CPU one this project ships (see docs on the stack).
 * {@code dtype: bf16} runs the training and validation forward passes under {@link Autocast} (bf16 GEMMs, float32
 * master weights, gradients and Adam state).
 * One trainer per JVM thread; the backward pass uses per-thread grad mode ({@code JniUtils}), not DJL's JVM-wide
 * GradientCollector.
 */
public final class Trainer {

    private final ModelConfig modelConfig;
    private final TrainConfig trainConfig;
    private final Location trainData;
    private final Location validData;
    private final Location output;
    private final Storage storage;
    private final Consumer<StepMetrics> listener;
    private final Consumer<StepMetrics> logListener;
    private final PrintStream console;
    private final ExpertParallelism parallelism;
    private final BatchSource batchSource;
    private final Device fixedDevice;
    private final String runId;
    private final int runAttempt;
    private final org.apache.hadoop.conf.Configuration hadoopConf;
    private final java.util.function.BooleanSupplier cancelled;
    /** How often rank 0 shows it still owns the checkpoint folder, and when another run may take it over. */
    static final java.time.Duration LEASE_HEARTBEAT = java.time.Duration.ofSeconds(5);
    static final java.time.Duration LEASE_STALE = java.time.Duration.ofSeconds(20);

    private Trainer(Builder b) {
        this.modelConfig = b.modelConfig();
        this.trainConfig = b.trainConfig();
        this.trainData = b.trainData();
        this.validData = b.validData();
        this.output = b.output();
        this.listener = b.listener;
        this.logListener = b.logListener;
        this.console = b.console();
        this.parallelism = b.parallelism;
        this.fixedDevice = b.device;
        this.runId = b.runId != null ? b.runId : java.util.UUID.randomUUID().toString();
        this.runAttempt = b.runAttempt;
        this.hadoopConf = b.hadoopConf != null ? b.hadoopConf : new org.apache.hadoop.conf.Configuration();
        this.storage = Storage.of(hadoopConf);
        this.cancelled = b.cancelled;
        this.batchSource = b.batchSource() != null ? b.batchSource()
                : defaultBatchSource(trainData, trainConfig, hadoopConf);
    }

    /** The batches a Trainer reads when no source is plugged in ({@link BucketedBatchSource}). */
    static BatchSource defaultBatchSource(Path trainData, TrainConfig trainConfig) {
        return defaultBatchSource(Location.of(trainData), trainConfig, new org.apache.hadoop.conf.Configuration());
    }

    static BatchSource defaultBatchSource(Location trainData, TrainConfig trainConfig,
            org.apache.hadoop.conf.Configuration conf) {
        return new BucketedBatchSource(trainData, trainConfig, conf);
    }

    /** @return a builder; setModelConfig, setTrainConfig, setTrainData and setOutput are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains until max_steps (if &gt; 0) or max_epochs, starting from the newest checkpoint in the output folder.
     *
     * @return what this session did
     */
    public TrainSummary run() {
        long startNanos = System.nanoTime();
        Engine engine = Engine.getEngine("PyTorch");
        Device device = device(engine);
        ProcessGroup world = parallelism.world();
        boolean lead = world.rank() == 0;
        ModelDirectory dir = lead ? ModelDirectory.create(storage, output, modelConfig, trainConfig, trainData)
                : ModelDirectory.describe(storage, output, modelConfig, trainConfig, trainData);
        if (world.size() > 1) { // the others read the tokenizer rank 0 copied
            world.allGather(new long[] {0}, "start: rank 0 writes the model folder");
            TrainConfig.Batch share = trainConfig.batch().perRank(world.size());
            log("batch: global limits " + trainConfig.batch().maxBatchSize() + " utterances / "
                    + trainConfig.batch().maxFramesPerBatch() + " padded frames per micro-batch, shared by "
                    + world.size() + " ranks (" + share.maxBatchSize() + " / " + share.maxFramesPerBatch()
                    + " each): as many samples per step as one process, not the same ones");
        }
        Validator validator = validData == null ? null : new Validator(storage, validData, dir.tokenizer(storage),
                trainConfig.batch().maxFramesPerBatch(), trainConfig.batch().maxBatchSize());
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        CheckpointLease lease = null;
        try (NDManager root = NDManager.newBaseManager(device, "PyTorch");
                JsonLinesMetricsWriter jsonl = lead ? new JsonLinesMetricsWriter(storage, output.resolve("metrics.jsonl"))
                        : null;
                TensorBoardWriter tensorboard = lead ? new TensorBoardWriter(storage, output.resolve("tensorboard"), wallTime())
                        : null) {
            U2Model model = dir.newModel(root, parallelism);
            List<ModelParameter> parameters = model.parameters();
            Optimizer optimizer = Optimizers.create(trainConfig, parameters);
            LearningRateSchedule schedule = Optimizers.schedule(trainConfig);
            lease = lead ? CheckpointLease.claim(dir.checkpointDirectory(), hadoopConf, runId, runAttempt,
                    LEASE_HEARTBEAT, LEASE_STALE) : null;
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir.checkpointDirectory())
                    .optKeep(trainConfig.checkpoint().keep()).optLease(lease).optConfiguration(hadoopConf).build();
            ExpertCheckpoints shards = new ExpertCheckpoints(parallelism, parameters, optimizer);
            TrainingState state = TrainingState.start(trainConfig.seed());
            Optional<org.apache.hadoop.fs.Path> latest = agreedLatest(world, checkpoints);
            org.apache.hadoop.fs.Path lastCheckpoint = null;
            if (latest.isPresent()) {
                state = shards.restore(checkpoints, latest.get()).state();
                lastCheckpoint = latest.get();
                log("resumed from " + latest.get() + " at step " + state.step() + ", epoch " + state.epoch()
                        + ", batch " + state.batchesInEpoch());
            }
            ParameterCollector.zeroGradients(parameters);
            TrainingSession session = new TrainingSession(sessionContext(), root, model, parameters, optimizer, schedule,
                    checkpoints, shards,
                    jsonl, tensorboard, validator, state, lastCheckpoint, startNanos);
            session.train();
            if (lease != null) {
                lease.release(); // the next run may start at once
                lease = null;
            }
            return session.summary((System.nanoTime() - startNanos) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("training output " + output + ": " + e.getMessage(), e);
        } finally {
            if (lease != null) {
                lease.close(); // failed: the claim goes stale; a retry of this run takes over at once
            }
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * The checkpoint every rank resumes from: rank 0 chooses (the newest readable committed one) and tells the
     * others, so that no rank resumes from another step because a checkpoint was committed, pruned or found damaged
     * between two ranks' looks at the folder.
     */
    private static Optional<org.apache.hadoop.fs.Path> agreedLatest(ProcessGroup world, CheckpointManager checkpoints) {
        Optional<org.apache.hadoop.fs.Path> latest = world.rank() == 0 ? checkpoints.latest() : Optional.empty();
        if (world.size() == 1) {
            return latest;
        }
        long step = world.allGather(new long[] {latest.map(CheckpointManager::stepOf).orElse(-1L)},
                "start: rank 0 chooses the checkpoint to resume from")[0];
        return step < 0 ? Optional.empty() : Optional.of(checkpoints.folder(step));
    }

    private Device device(Engine engine) {
        if (fixedDevice != null) {
            return fixedDevice;
        }
        if (trainConfig.dtype().equals("bf16") && trainConfig.device().equals("cpu")) {
            log("dtype: bf16 on a CPU: GEMMs run in bf16 (numerically like a GPU run), but without bf16 units they "
                    + "are slower than float32; use train.device=gpu for speed");
        }
        if (trainConfig.device().equals("gpu")) {
            if (engine.getGpuCount() == 0) {
                throw new IllegalStateException("device: gpu, but DJL sees no GPU; install DJL's CUDA libtorch "
                        + "(PYTORCH_LIBRARY_PATH or a pytorch-native-cu* jar) or pass train.device=cpu");
            }
            return Device.gpu();
        }
        return Device.cpu();
    }

    static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    private void log(String line) {
        if (console != null && parallelism.world().rank() == 0) {
            console.println(line);
        }
    }

    /** What the session may see of this trainer, and nothing more. */
    private SessionContext sessionContext() {
        return new SessionContext(modelConfig, trainConfig, parallelism, batchSource, cancelled, listener,
                logListener, this::log);
    }

    /** Builder of {@link Trainer}. */
    public static final class Builder extends TrainingBuilder<Builder> {

        @Override
        protected Builder self() {
            return this;
        }
        private Consumer<StepMetrics> listener;
        private Consumer<StepMetrics> logListener;
        private ExpertParallelism parallelism = ExpertParallelism.NONE;
        private String runId;
        private int runAttempt;
        private org.apache.hadoop.conf.Configuration hadoopConf;
        private java.util.function.BooleanSupplier cancelled = () -> Thread.currentThread().isInterrupted();
        private Device device;









        /** @param listener called after every update with its metrics @return this */
        public Builder optStepListener(Consumer<StepMetrics> listener) {
            this.listener = listener;
            return this;
        }

        /**
         * @param listener called on rank 0 with every record written to metrics.jsonl (logged steps and validations)
         * @return this
         */
        public Builder optLogListener(Consumer<StepMetrics> listener) {
            this.logListener = listener;
            return this;
        }


        /**
         * @param parallelism this rank's place in an expert-parallel job (default {@link ExpertParallelism#NONE}:
         *     one process); the expert-parallel module's launcher sets it, one Trainer per rank
         * @return this
         */
        public Builder optParallelism(ExpertParallelism parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /**
         * @param source where the micro-batches come from (default: this rank's shards of the training set through
         *     {@code BucketedBatches}); the training set still provides the tokenizer and CMVN
         * @return this
         */
        /**
         * @param runId the run this Trainer belongs to (default: a new random id); its checkpoint folder is claimed
         *     for it ({@link CheckpointLease}), so another run cannot write there at the same time
         * @param attempt this attempt of the run: a higher one takes the folder over, and the lower one can no longer
         *     commit or prune there
         * @return this
         */
        public Builder optRun(String runId, int attempt) {
            this.runId = runId;
            this.runAttempt = attempt;
            return this;
        }

        /**
         * @param conf the Hadoop configuration for the checkpoint folder's file system (default: {@code new
         *     Configuration()}, i.e. the core-site.xml on the classpath); in a Spark job, the session's (with its
         *     {@code spark.hadoop.*} settings: S3A credentials, HDFS HA)
         * @return this
         */
        public Builder optHadoopConfiguration(org.apache.hadoop.conf.Configuration conf) {
            this.hadoopConf = conf;
            return this;
        }


        /**
         * @param cancelled asked before every micro-batch; once true the run stops with a CancellationException
         *     (default: the thread's interrupt flag; a Spark rank passes its task's kill flag, so the ranks of a
         *     failed stage attempt stop instead of training on beside the retry)
         * @return this
         */
        public Builder optCancellation(java.util.function.BooleanSupplier cancelled) {
            this.cancelled = cancelled;
            return this;
        }

        /**
         * @param device the device to train on, overriding the config's {@code device} (a Spark task takes its GPU
         *     from {@code TaskContext.resources()})
         * @return this
         */
        public Builder optDevice(Device device) {
            this.device = device;
            return this;
        }

        /** @return the trainer */
        public Trainer build() {
            checkRequired("Trainer");
            return new Trainer(this);
        }
    }
}
