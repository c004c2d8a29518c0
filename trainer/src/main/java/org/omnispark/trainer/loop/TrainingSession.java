package org.omnispark.trainer.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.nn.RandomDraws;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.Losses;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.parallel.ExpertCheckpoints;
import org.omnispark.trainer.parallel.GradientSync;
import org.omnispark.trainer.parallel.ProcessGroup;
import org.omnispark.trainer.nn.StagedBackward;
import org.omnispark.trainer.infra.CheckpointManager;
import org.omnispark.trainer.infra.ConsoleProgress;
import org.omnispark.trainer.infra.GradientAccumulator;
import org.omnispark.trainer.infra.GradientClipping;
import org.omnispark.trainer.infra.JsonLinesMetricsWriter;
import org.omnispark.trainer.infra.LearningRateSchedule;
import org.omnispark.trainer.infra.Optimizer;
import org.omnispark.trainer.infra.StepMetrics;
import org.omnispark.trainer.infra.TensorBoardWriter;
import org.omnispark.trainer.infra.TrainingState;

/**
 * The mutable state of one {@link Trainer#run}: the epoch loop, micro-batches (forward, backward through a {@link
 * StagedBackward} under expert parallelism), updates (gradient sync, clipping, optimizer), metrics, validation and
 * checkpoints.
 */
final class TrainingSession {
    private final SessionContext trainer;
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
    private org.apache.hadoop.fs.Path lastCheckpoint;
    private long lastSavedStep = -1;
    private long pendingFrames;
    private long pendingNanos;

    TrainingSession(SessionContext trainer, NDManager root, U2Model model, List<ModelParameter> parameters,
            Optimizer optimizer, LearningRateSchedule schedule, CheckpointManager checkpoints, ExpertCheckpoints shards,
            JsonLinesMetricsWriter jsonl, TensorBoardWriter tensorboard, Validator validator, TrainingState state,
            org.apache.hadoop.fs.Path lastCheckpoint, long startNanos) {
        this.trainer = trainer;
        this.root = root;
        this.model = model;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.checkpoints = checkpoints;
        this.shards = shards;
        this.gradientSync = trainer.parallelism().isDistributed() ? new GradientSync(trainer.parallelism(), parameters,
                trainer.trainConfig().expertParallel().bucketMb() * (1L << 20)) : null;
        this.report = new StepReport(trainer.parallelism());
        this.jsonl = jsonl;
        this.tensorboard = tensorboard;
        this.validator = validator;
        this.state = state;
        this.lastCheckpoint = lastCheckpoint;
        this.lastSavedStep = lastCheckpoint == null ? -1 : state.step();
        this.startStep = state.step();
        this.collator = new BatchCollator(trainer.modelConfig().inputDim());
        this.accumulator = new GradientAccumulator(trainer.trainConfig().accumGrad());
        this.progress = new ConsoleProgress(trainer.trainConfig().maxSteps(), state.step(), startNanos);
    }

    /** @return what this session did, for {@link Trainer#run} */
    TrainSummary summary(double seconds) {
        return new TrainSummary(startStep, state.step(), state.epoch(), losses, validations, lastCheckpoint, seconds);
    }

    void train() throws IOException {
        ProcessGroup world = trainer.parallelism().world();
        state = state.onRanks(world.size());
        if (!state.epochHistory().isEmpty()) {
            trainer.log("epoch " + state.epoch() + " began on other numbers of ranks (ranks, batches per rank: "
                    + state.epochHistory() + "): these " + world.size() + " ranks read the rest of it, each "
                    + "utterance once");
        }
        while (state.epoch() < trainer.trainConfig().maxEpochs() && !done()) {
            Iterator<List<Utterance>> batches = state.epochHistory().isEmpty()
                    ? trainer.batchSource().batches(state.epoch(), world.rank(), world.size())
                    : trainer.batchSource().rest(state.epoch(), world.rank(), world.size(), state.epochHistory());
            for (long skip = 0; skip < state.batchesInEpoch() && batches.hasNext(); skip++) {
                batches.next(); // consumed before the checkpoint this run resumed from
            }
            while (!done()) {
                if (trainer.cancelled()) { // a failed or superseded attempt: stop, write nothing more
                    throw new java.util.concurrent.CancellationException("rank " + world.rank() + " stops at step "
                            + state.step() + ": its run was cancelled (a failed stage attempt, or a newer one)");
                }
                List<Utterance> next = batches.hasNext() ? batches.next() : null;
                long globalBatch = agreeOnBatch(next); // every rank runs the same number of micro-batches
                if (globalBatch < 0) {
                    break;
                }
                microBatch(next, globalBatch);
                if (accumulator.microBatchDone()) {
                    update(trainer.trainConfig().accumGrad());
                }
            }
            if (accumulator.pending() > 0) { // a partial accumulation at the end of the epoch still counts
                int pending = accumulator.pending();
                accumulator = new GradientAccumulator(trainer.trainConfig().accumGrad()); // back to an update boundary
                update(pending);
            }
            if (done()) {
                break;
            }
            state = state.nextEpoch();
            if (validator != null && trainer.trainConfig().validInterval() == 0) {
                validate();
            }
            if (trainer.trainConfig().checkpoint().interval() == 0) {
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
        ProcessGroup world = trainer.parallelism().world();
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
        return trainer.trainConfig().dtype().equals("bf16") ? Autocast.enable(DataType.BFLOAT16) : Autocast.disable();
    }

    private boolean done() {
        return trainer.trainConfig().maxSteps() > 0 && state.step() >= trainer.trainConfig().maxSteps();
    }

    /** Forward + backward of one micro-batch in its own sub-manager. */
    private void microBatch(List<Utterance> utterances, long globalBatch) {
        trainer.parallelism().beginStep(state.step() + 1);
        long begin = System.nanoTime();
        double share = (double) utterances.size() / globalBatch; // 1 in one process
        long counter = state.rngCounter() + accumulator.pending();
        try (NDManager scope = root.newSubManager()) {
            // dropout masks and jitter: this micro-batch's stream, the same in a resumed run and in a shared JVM
            RandomDraws.begin(trainer.trainConfig().seed() * 1_000_003L + counter);
            JniUtils.setGradMode(true);
            Batch batch = collator.collate(scope, utterances);
            Losses out;
            try (StagedBackward tape = trainer.parallelism().isDistributed() ? StagedBackward.begin() : null) {
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
            RandomDraws.end();
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
            if (trainer.trainConfig().gradClip() > 0) {
                GradientClipping.clipToNorm(parameters, gradNorm, trainer.trainConfig().gradClip());
            }
        } else {
            gradNorm = trainer.trainConfig().gradClip() > 0
                    ? GradientClipping.clipGlobalNorm(parameters, trainer.trainConfig().gradClip())
                    : GradientClipping.globalNorm(parameters);
        }
        double lr = schedule.learningRate(state.step() + 1);
        if (GradientClipping.isFinite(gradNorm)) {
            optimizer.step(lr);
        } else {
            trainer.log("step " + (state.step() + 1) + ": gradient norm " + gradNorm + ", update skipped");
        }
        ParameterCollector.zeroGradients(parameters);
        state = state.afterStep(microBatches);
        int checksumInterval = trainer.trainConfig().expertParallel().checksumInterval();
        if (gradientSync != null && checksumInterval > 0 && state.step() % checksumInterval == 0) {
            gradientSync.checkReplicasIdentical(state.step());
        }
        pendingNanos += System.nanoTime() - begin;
        StepReport.Global global = report.globalize(state.step(), pendingLosses, pendingFrames, pendingNanos);
        double framesPerSecond = global.framesPerSecond();
        Map<String, Double> stepLosses = global.metrics();
        losses.add(stepLosses.getOrDefault("loss", Double.NaN));
        StepMetrics metrics = new StepMetrics(state.step(), state.epoch(), stepLosses, lr, gradNorm,
                framesPerSecond, Trainer.wallTime());
        pendingLosses.clear();
        pendingFrames = 0;
        pendingNanos = 0;
        trainer.stepDone(metrics);
        if (jsonl != null && (state.step() % trainer.trainConfig().logInterval() == 0 || state.step() == 1)) {
            record(metrics);
            tensorboard.write(metrics);
            trainer.log(progress.line(state.step(), state.epoch(), stepLosses.get("loss"), lr, System.nanoTime())
                    + global.consoleSuffix());
        }
        if (validator != null && trainer.trainConfig().validInterval() > 0
                && state.step() % trainer.trainConfig().validInterval() == 0) {
            validate();
        }
        int interval = trainer.trainConfig().checkpoint().interval();
        if (interval > 0 && state.step() % interval == 0) {
            save();
        }
    }

    private void validate() throws IOException {
        ValidationResult v;
        try (Autocast ignored = autocast()) {
            v = validator.validate(model, root, state.step());
        }
        HostSyncs.take(); // validation's host reads are not a training step's: the next step reports its own
        validations.add(v);
        if (jsonl == null) {
            return; // every rank validates (its experts serve every rank's tokens); rank 0 reports
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("valid_loss", v.loss());
        values.put("valid_cer", v.cer());
        values.put("valid_wer", v.wer());
        record(new StepMetrics(state.step(), state.epoch(), values, Double.NaN, Double.NaN, Double.NaN,
                Trainer.wallTime()));
        tensorboard.addScalars(state.step(), Trainer.wallTime(), Map.of("valid/loss", (float) v.loss(),
                "valid/cer", (float) v.cer(), "valid/wer", (float) v.wer()));
        trainer.log(String.format(java.util.Locale.ROOT, "validation at step %d: loss %.4f, CER %.2f%%, WER %.2f%% "
                + "(%d utterances)", v.step(), v.loss(), 100 * v.cer(), 100 * v.wer(), v.utterances()));
    }

    /** Writes a record to metrics.jsonl (rank 0) and hands it to the log listener. */
    private void record(StepMetrics metrics) throws IOException {
        jsonl.write(metrics);
        trainer.stepLogged(metrics);
    }

    private void save() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", ModelDirectory.configTree(trainer.modelConfig()));
        config.put("train", ModelDirectory.configTree(trainer.trainConfig()));
        lastCheckpoint = shards.save(checkpoints, state, config);
        lastSavedStep = state.step();
    }
}
