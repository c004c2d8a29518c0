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

    private Trainer(Builder b) {
        this.modelConfig = b.modelConfig;
        this.trainConfig = b.trainConfig;
        this.trainData = b.trainData;
        this.validData = b.validData;
        this.output = b.output;
        this.listener = b.listener;
        this.console = b.console;
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
        ModelDirectory dir = ModelDirectory.create(output, modelConfig, trainConfig, trainData);
        Validator validator = validData == null ? null : new Validator(validData, dir.tokenizer(),
                trainConfig.batch().maxFramesPerBatch(), trainConfig.batch().maxBatchSize());
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager root = NDManager.newBaseManager(device, "PyTorch");
                JsonLinesMetricsWriter jsonl = new JsonLinesMetricsWriter(output.resolve("metrics.jsonl"));
                TensorBoardWriter tensorboard = new TensorBoardWriter(output.resolve("tensorboard"), wallTime())) {
            U2Model model = dir.newModel(root);
            List<ModelParameter> parameters = model.parameters();
            Optimizer optimizer = Optimizers.create(trainConfig, parameters);
            LearningRateSchedule schedule = Optimizers.schedule(trainConfig);
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir.checkpoints())
                    .optKeep(trainConfig.checkpoint().keep()).build();
            TrainingState state = TrainingState.start(trainConfig.seed());
            Optional<Path> latest = checkpoints.latest();
            Path lastCheckpoint = null;
            if (latest.isPresent()) {
                state = CheckpointManager.restore(latest.get(), parameters, optimizer).state();
                lastCheckpoint = latest.get();
                log("resumed from " + latest.get() + " at step " + state.step() + ", epoch " + state.epoch()
                        + ", batch " + state.batchesInEpoch());
            }
            ParameterCollector.zeroGradients(parameters);
            Session session = new Session(engine, root, model, parameters, optimizer, schedule, checkpoints, jsonl,
                    tensorboard, validator, state, lastCheckpoint, startNanos);
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
        if (console != null) {
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
        private long pendingFrames;
        private long pendingNanos;

        Session(Engine engine, NDManager root, U2Model model, List<ModelParameter> parameters, Optimizer optimizer,
                LearningRateSchedule schedule, CheckpointManager checkpoints, JsonLinesMetricsWriter jsonl,
                TensorBoardWriter tensorboard, Validator validator, TrainingState state, Path lastCheckpoint,
                long startNanos) {
            this.engine = engine;
            this.root = root;
            this.model = model;
            this.parameters = parameters;
            this.optimizer = optimizer;
            this.schedule = schedule;
            this.checkpoints = checkpoints;
            this.jsonl = jsonl;
            this.tensorboard = tensorboard;
            this.validator = validator;
            this.state = state;
            this.lastCheckpoint = lastCheckpoint;
            this.startStep = state.step();
            this.collator = new BatchCollator(modelConfig.inputDim());
            this.accumulator = new GradientAccumulator(trainConfig.accumGrad());
            this.progress = new ConsoleProgress(trainConfig.maxSteps(), state.step(), startNanos);
        }

        void train() throws IOException {
            while (state.epoch() < trainConfig.maxEpochs() && !done()) {
                Iterator<List<Utterance>> batches = BucketedBatches.builder().setDataset(trainData)
                        .optSeed(trainConfig.seed()).optEpoch(state.epoch()).optRank(0, 1)
                        .optMaxFramesPerBatch(trainConfig.batch().maxFramesPerBatch())
                        .optMaxBatchSize(trainConfig.batch().maxBatchSize()).build().iterator();
                for (long skip = 0; skip < state.batchesInEpoch() && batches.hasNext(); skip++) {
                    batches.next(); // consumed before the checkpoint this run resumed from
                }
                while (batches.hasNext() && !done()) {
                    microBatch(batches.next());
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
            if (lastCheckpoint == null || !lastCheckpoint.getFileName().toString().equals("ckpt-" + state.step())) {
                save();
            }
        }

        private Autocast autocast() {
            return trainConfig.dtype().equals("bf16") ? Autocast.enable(DataType.BFLOAT16) : Autocast.disable();
        }

        private boolean done() {
            return trainConfig.maxSteps() > 0 && state.step() >= trainConfig.maxSteps();
        }

        /** Forward + backward of one micro-batch in its own sub-manager. */
        private void microBatch(List<Utterance> utterances) {
            long begin = System.nanoTime();
            long counter = state.rngCounter() + accumulator.pending();
            try (NDManager scope = root.newSubManager()) {
                engine.setRandomSeed((int) (trainConfig.seed() * 1_000_003L + counter)); // dropout masks, jitter
                JniUtils.setGradMode(true);
                Batch batch = collator.collate(scope, utterances);
                Losses out;
                try (Autocast ignored = autocast()) {
                    out = model.forward(batch, true, counter);
                }
                NDArray scaled = accumulator.scaleLoss(out.total());
                NDArray ones = scaled.onesLike();
                JniUtils.backward((PtNDArray) scaled, (PtNDArray) ones, false, false);
                JniUtils.setGradMode(false);
                out.toHost().forEach((k, v) -> pendingLosses.merge(k, v * accumulator.lossScale(), Double::sum));
                pendingFrames += batch.frames();
            } finally {
                JniUtils.setGradMode(false);
            }
            pendingNanos += System.nanoTime() - begin;
        }

        /** Clip, step, zero, log, validate, checkpoint. */
        private void update(int microBatches) throws IOException {
            long begin = System.nanoTime();
            double gradNorm = trainConfig.gradClip() > 0
                    ? GradientClipping.clipGlobalNorm(parameters, trainConfig.gradClip())
                    : GradientClipping.globalNorm(parameters);
            double lr = schedule.learningRate(state.step() + 1);
            if (GradientClipping.isFinite(gradNorm)) {
                optimizer.step(lr);
            } else {
                log("step " + (state.step() + 1) + ": gradient norm " + gradNorm + ", update skipped");
            }
            ParameterCollector.zeroGradients(parameters);
            state = state.afterStep(microBatches);
            pendingNanos += System.nanoTime() - begin;
            double framesPerSecond = pendingFrames / (pendingNanos / 1e9);
            Map<String, Double> stepLosses = new LinkedHashMap<>(pendingLosses);
            losses.add(stepLosses.getOrDefault("loss", Double.NaN));
            StepMetrics metrics = new StepMetrics(state.step(), state.epoch(), stepLosses, lr, gradNorm,
                    framesPerSecond, wallTime());
            pendingLosses.clear();
            pendingFrames = 0;
            pendingNanos = 0;
            if (listener != null) {
                listener.accept(metrics);
            }
            if (state.step() % trainConfig.logInterval() == 0 || state.step() == 1) {
                jsonl.write(metrics);
                tensorboard.write(metrics);
                log(progress.line(state.step(), state.epoch(), stepLosses.get("loss"), lr, System.nanoTime()));
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
            lastCheckpoint = checkpoints.save(parameters, optimizer, state, config);
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
