package org.omnispark.trainer.loop;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.Losses;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.parallel.ExpertCheckpoints;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.parallel.GradientSync;
import org.omnispark.trainer.parallel.ProcessGroup;
import org.omnispark.trainer.parallel.StagedBackward;
import org.omnispark.trainer.train.CheckpointManager;
import org.omnispark.trainer.train.ConsoleProgress;
import org.omnispark.trainer.train.GradientAccumulator;
import org.omnispark.trainer.train.GradientClipping;
import org.omnispark.trainer.train.JsonLinesMetricsWriter;
import org.omnispark.trainer.train.LearningRateSchedule;
import org.omnispark.trainer.train.Optimizer;
import org.omnispark.trainer.train.Optimizers;
import org.omnispark.trainer.train.StepMetrics;
import org.omnispark.trainer.train.TensorBoardWriter;
import org.omnispark.trainer.train.TrainingState;

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
    private final Path trainData;
    private final Path validData;
    private final Path output;
    private final Consumer<StepMetrics> listener;
    private final PrintStream console;
    private final ExpertParallelism parallelism;
    private final BatchSource batchSource;
    private final Device fixedDevice;

    private Trainer(Builder b) {
        this.modelConfig = b.modelConfig;
        this.trainConfig = b.trainConfig;
        this.trainData = b.trainData;
        this.validData = b.validData;
        this.output = b.output;
        this.listener = b.listener;
        this.console = b.console;
        this.parallelism = b.parallelism;
        this.fixedDevice = b.device;
        this.batchSource = b.batchSource != null ? b.batchSource : (epoch, rank, worldSize) -> BucketedBatches.builder()
                .setDataset(trainData).optSeed(trainConfig.seed()).optEpoch(epoch).optRank(rank, worldSize)
                .optMaxFramesPerBatch(trainConfig.batch().maxFramesPerBatch())
                .optMaxBatchSize(trainConfig.batch().maxBatchSize()).build().iterator();
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
        ModelDirectory dir = lead ? ModelDirectory.create(output, modelConfig, trainConfig, trainData)
                : ModelDirectory.describe(output, modelConfig, trainConfig, trainData);
        if (world.size() > 1) { // the others read the tokenizer rank 0 copied
            world.allGather(new long[] {0}, "start: rank 0 writes the model folder");
        }
        Validator validator = validData == null ? null : new Validator(validData, dir.tokenizer(),
                trainConfig.batch().maxFramesPerBatch(), trainConfig.batch().maxBatchSize());
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager root = NDManager.newBaseManager(device, "PyTorch");
                JsonLinesMetricsWriter jsonl = lead ? new JsonLinesMetricsWriter(output.resolve("metrics.jsonl")) : null;
                TensorBoardWriter tensorboard = lead ? new TensorBoardWriter(output.resolve("tensorboard"), wallTime())
                        : null) {
            U2Model model = dir.newModel(root, parallelism);
            List<ModelParameter> parameters = model.parameters();
            Optimizer optimizer = Optimizers.create(trainConfig, parameters);
            LearningRateSchedule schedule = Optimizers.schedule(trainConfig);
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir.checkpoints())
                    .optKeep(trainConfig.checkpoint().keep()).build();
            ExpertCheckpoints shards = parallelism.isDistributed()
                    ? new ExpertCheckpoints(parallelism, parameters, optimizer) : null;
            TrainingState state = TrainingState.start(trainConfig.seed());
            Optional<Path> latest = checkpoints.latest();
            Path lastCheckpoint = null;
            if (latest.isPresent()) {
                try (NDManager scope = root.newSubManager()) {
                    state = shards == null ? CheckpointManager.restore(latest.get(), parameters, optimizer).state()
                            : shards.restore(latest.get(), scope).state();
                }
                lastCheckpoint = latest.get();
                log("resumed from " + latest.get() + " at step " + state.step() + ", epoch " + state.epoch()
                        + ", batch " + state.batchesInEpoch());
            }
            ParameterCollector.zeroGradients(parameters);
            Session session = new Session(engine, root, model, parameters, optimizer, schedule, checkpoints, shards,
                    jsonl, tensorboard, validator, state, lastCheckpoint, startNanos);
            session.train();
            return new TrainSummary(session.startStep, session.state.step(), session.state.epoch(), session.losses,
                    session.validations, session.lastCheckpoint, (System.nanoTime() - startNanos) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("training output " + output + ": " + e.getMessage(), e);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
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

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    private void log(String line) {
        if (console != null && parallelism.world().rank() == 0) {
            console.println(line);
        }
    }

    /** The mutable state of one training session. */
    private final class Session {
        private final Engine engine;
        private final NDManager root;
        private final U2Model model;
        private final List<ModelParameter> parameters;
        private final Optimizer optimizer;
        private final LearningRateSchedule schedule;
        private final CheckpointManager checkpoints;
        private final ExpertCheckpoints shards;
        private final GradientSync gradientSync;
        private final StepReport report;
        private final JsonLinesMetricsWriter jsonl;
        private final TensorBoardWriter tensorboard;
        private final Validator validator;
        private final BatchCollator collator;
        private GradientAccumulator accumulator;
        private final ConsoleProgress progress;
        private final long startStep;
        private final List<Double> losses = new ArrayList<>();
        private final List<ValidationResult> validations = new ArrayList<>();
        private final Map<String, Double> pendingLosses = new LinkedHashMap<>();
        private TrainingState state;
        private Path lastCheckpoint;
        private long lastSavedStep = -1;
        private long pendingFrames;
        private long pendingNanos;

        Session(Engine engine, NDManager root, U2Model model, List<ModelParameter> parameters, Optimizer optimizer,
                LearningRateSchedule schedule, CheckpointManager checkpoints, ExpertCheckpoints shards,
                JsonLinesMetricsWriter jsonl, TensorBoardWriter tensorboard, Validator validator, TrainingState state,
                Path lastCheckpoint, long startNanos) {
            this.engine = engine;
            this.root = root;
            this.model = model;
            this.parameters = parameters;
            this.optimizer = optimizer;
            this.schedule = schedule;
            this.checkpoints = checkpoints;
            this.shards = shards;
            this.gradientSync = parallelism.isDistributed() ? new GradientSync(parallelism, parameters,
                    trainConfig.expertParallel().bucketMb() * (1L << 20)) : null;
            this.report = new StepReport(parallelism);
            this.jsonl = jsonl;
            this.tensorboard = tensorboard;
            this.validator = validator;
            this.state = state;
            this.lastCheckpoint = lastCheckpoint;
            this.lastSavedStep = lastCheckpoint == null ? -1 : state.step();
            this.startStep = state.step();
            this.collator = new BatchCollator(modelConfig.inputDim());
            this.accumulator = new GradientAccumulator(trainConfig.accumGrad());
            this.progress = new ConsoleProgress(trainConfig.maxSteps(), state.step(), startNanos);
        }

        void train() throws IOException {
            while (state.epoch() < trainConfig.maxEpochs() && !done()) {
                ProcessGroup world = parallelism.world();
                Iterator<List<Utterance>> batches = batchSource.batches(state.epoch(), world.rank(), world.size());
                for (long skip = 0; skip < state.batchesInEpoch() && batches.hasNext(); skip++) {
                    batches.next(); // consumed before the checkpoint this run resumed from
                }
                while (!done()) {
                    List<Utterance> next = batches.hasNext() ? batches.next() : null;
                    long globalBatch = agreeOnBatch(next); // every rank runs the same number of micro-batches
                    if (globalBatch < 0) {
                        break;
                    }
                    microBatch(next, globalBatch);
                    if (accumulator.microBatchDone()) {
                        update(trainConfig.accumGrad());
                    }
                }
                if (accumulator.pending() > 0) { // a partial accumulation at the end of the epoch still counts
                    int pending = accumulator.pending();
                    accumulator = new GradientAccumulator(trainConfig.accumGrad()); // back to an update boundary
                    update(pending);
                }
                if (done()) {
                    break;
                }
                state = state.nextEpoch();
                if (validator != null && trainConfig.validInterval() == 0) {
                    validate();
                }
                if (trainConfig.checkpoint().interval() == 0) {
                    save();
                }
            }
            if (lastSavedStep != state.step()) {
                save();
            }
        }

        /**
         * Agrees with the other ranks on the next micro-batch: the utterances of the whole (global) batch, or -1 when
         * any rank has run out of batches this epoch (then the epoch ends on every rank, so no collective is left
         * waiting for a rank that has stopped).
         */
        private long agreeOnBatch(List<Utterance> next) {
            long mine = next == null ? -1 : next.size();
            ProcessGroup world = parallelism.world();
            if (world.size() == 1) {
                return mine;
            }
            long[] all = world.allGather(new long[] {mine}, "step " + (state.step() + 1) + " micro-batch sizes");
            long total = 0;
            for (long n : all) {
                if (n < 0) {
                    return -1;
                }
                total += n;
            }
            return total;
        }

        private Autocast autocast() {
            return trainConfig.dtype().equals("bf16") ? Autocast.enable(DataType.BFLOAT16) : Autocast.disable();
        }

        private boolean done() {
            return trainConfig.maxSteps() > 0 && state.step() >= trainConfig.maxSteps();
        }

        /** Forward + backward of one micro-batch in its own sub-manager. */
        private void microBatch(List<Utterance> utterances, long globalBatch) {
            long begin = System.nanoTime();
            double share = (double) utterances.size() / globalBatch; // 1 in one process
            long counter = state.rngCounter() + accumulator.pending();
            try (NDManager scope = root.newSubManager()) {
                engine.setRandomSeed((int) (trainConfig.seed() * 1_000_003L + counter)); // dropout masks, jitter
                JniUtils.setGradMode(true);
                Batch batch = collator.collate(scope, utterances);
                Losses out;
                try (StagedBackward tape = parallelism.isDistributed() ? StagedBackward.begin() : null) {
                    try (Autocast ignored = autocast()) {
                        out = model.forward(batch, true, counter, share);
                    }
                    NDArray scaled = accumulator.scaleLoss(out.total());
                    if (tape != null) {
                        tape.backward(scaled); // the loss, then each stage in reverse
                    } else {
                        JniUtils.backward((PtNDArray) scaled, (PtNDArray) scaled.onesLike(), false, false);
                    }
                }
                JniUtils.setGradMode(false);
                report.addLosses(out, share, accumulator.lossScale(), pendingLosses);
                pendingFrames += batch.frames();
            } finally {
                JniUtils.setGradMode(false);
            }
            pendingNanos += System.nanoTime() - begin;
        }

        /** Clip, step, zero, log, validate, checkpoint. */
        private void update(int microBatches) throws IOException {
            long begin = System.nanoTime();
            double gradNorm;
            if (gradientSync != null) {
                try (NDManager scope = root.newSubManager()) {
                    gradientSync.synchronize(scope, state.step() + 1);
                }
                gradNorm = gradientSync.globalNorm(state.step() + 1);
                if (trainConfig.gradClip() > 0) {
                    GradientClipping.clipToNorm(parameters, gradNorm, trainConfig.gradClip());
                }
            } else {
                gradNorm = trainConfig.gradClip() > 0
                        ? GradientClipping.clipGlobalNorm(parameters, trainConfig.gradClip())
                        : GradientClipping.globalNorm(parameters);
            }
            double lr = schedule.learningRate(state.step() + 1);
            if (GradientClipping.isFinite(gradNorm)) {
                optimizer.step(lr);
            } else {
                log("step " + (state.step() + 1) + ": gradient norm " + gradNorm + ", update skipped");
            }
            ParameterCollector.zeroGradients(parameters);
            state = state.afterStep(microBatches);
            int checksumInterval = trainConfig.expertParallel().checksumInterval();
            if (gradientSync != null && checksumInterval > 0 && state.step() % checksumInterval == 0) {
                gradientSync.checkReplicasIdentical(state.step());
            }
            pendingNanos += System.nanoTime() - begin;
            StepReport.Global global = report.globalize(state.step(), pendingLosses, pendingFrames, pendingNanos);
            double framesPerSecond = global.framesPerSecond();
            Map<String, Double> stepLosses = global.metrics();
            losses.add(stepLosses.getOrDefault("loss", Double.NaN));
            StepMetrics metrics = new StepMetrics(state.step(), state.epoch(), stepLosses, lr, gradNorm,
                    framesPerSecond, wallTime());
            pendingLosses.clear();
            pendingFrames = 0;
            pendingNanos = 0;
            if (listener != null) {
                listener.accept(metrics);
            }
            if (jsonl != null && (state.step() % trainConfig.logInterval() == 0 || state.step() == 1)) {
                jsonl.write(metrics);
                tensorboard.write(metrics);
                log(progress.line(state.step(), state.epoch(), stepLosses.get("loss"), lr, System.nanoTime())
                        + global.consoleSuffix());
            }
            if (validator != null && trainConfig.validInterval() > 0
                    && state.step() % trainConfig.validInterval() == 0) {
                validate();
            }
            int interval = trainConfig.checkpoint().interval();
            if (interval > 0 && state.step() % interval == 0) {
                save();
            }
        }

        private void validate() throws IOException {
            ValidationResult v;
            try (Autocast ignored = autocast()) {
                v = validator.validate(model, root, state.step());
            }
            validations.add(v);
            if (jsonl == null) {
                return; // every rank validates (its experts serve every rank's tokens); rank 0 reports
            }
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("valid_loss", v.loss());
            values.put("valid_cer", v.cer());
            values.put("valid_wer", v.wer());
            jsonl.write(new StepMetrics(state.step(), state.epoch(), values, Double.NaN, Double.NaN, Double.NaN,
                    wallTime()));
            tensorboard.addScalars(state.step(), wallTime(), Map.of("valid/loss", (float) v.loss(),
                    "valid/cer", (float) v.cer(), "valid/wer", (float) v.wer()));
            log(String.format(java.util.Locale.ROOT, "validation at step %d: loss %.4f, CER %.2f%%, WER %.2f%% "
                    + "(%d utterances)", v.step(), v.loss(), 100 * v.cer(), 100 * v.wer(), v.utterances()));
        }

        private void save() {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("model", ModelDirectory.configTree(modelConfig));
            config.put("train", ModelDirectory.configTree(trainConfig));
            if (shards == null) {
                lastCheckpoint = checkpoints.save(parameters, optimizer, state, config);
            } else {
                try (NDManager scope = root.newSubManager()) {
                    lastCheckpoint = shards.save(checkpoints, scope, state, config); // null on ranks other than 0
                }
            }
            lastSavedStep = state.step();
        }
    }

    /** Builder of {@link Trainer}. */
    public static final class Builder {
        private ModelConfig modelConfig;
        private TrainConfig trainConfig;
        private Path trainData;
        private Path validData;
        private Path output;
        private Consumer<StepMetrics> listener;
        private PrintStream console;
        private ExpertParallelism parallelism = ExpertParallelism.NONE;
        private BatchSource batchSource;
        private Device device;

        /** @param config the model config @return this */
        public Builder setModelConfig(ModelConfig config) {
            this.modelConfig = config;
            return this;
        }

        /** @param config the training config @return this */
        public Builder setTrainConfig(TrainConfig config) {
            this.trainConfig = config;
            return this;
        }

        /** @param dataset a prepared dataset folder (dataset.json) @return this */
        public Builder setTrainData(Path dataset) {
            this.trainData = dataset;
            return this;
        }

        /** @param dir the output / model folder; a run resumes from its newest checkpoint @return this */
        public Builder setOutput(Path dir) {
            this.output = dir;
            return this;
        }

        /** @param dataset a prepared held-out set for validation, or null @return this */
        public Builder optValidData(Path dataset) {
            this.validData = dataset;
            return this;
        }

        /** @param listener called after every update with its metrics @return this */
        public Builder optStepListener(Consumer<StepMetrics> listener) {
            this.listener = listener;
            return this;
        }

        /** @param console where progress lines go, or null for none (default) @return this */
        public Builder optConsole(PrintStream console) {
            this.console = console;
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
        public Builder optBatchSource(BatchSource source) {
            this.batchSource = source;
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
            if (modelConfig == null || trainConfig == null || trainData == null || output == null) {
                throw new IllegalStateException("Trainer needs setModelConfig, setTrainConfig, setTrainData and "
                        + "setOutput");
            }
            return new Trainer(this);
        }
    }
}
