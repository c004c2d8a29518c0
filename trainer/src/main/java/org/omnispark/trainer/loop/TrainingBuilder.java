package org.omnispark.trainer.loop;

import java.io.PrintStream;
import java.nio.file.Path;
import org.omnispark.io.Location;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;

/**
 * What every way of training takes, set the same way: the model and training configs, the training set, the output
 * folder, an optional held-out set, console and batch source. {@link Trainer.Builder} (one process or one rank) and the
 * expert-parallel module's builder (a Spark job of N ranks) extend it and add their own settings.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class TrainingBuilder<B extends TrainingBuilder<B>> {

    private ModelConfig modelConfig;
    private TrainConfig trainConfig;
    private Location trainData;
    private Location validData;
    private Location output;
    private PrintStream console;
    private BatchSource batchSource;

    /** @return this builder, as its concrete type */
    protected abstract B self();

    /** @param config the model config @return this */
    public B setModelConfig(ModelConfig config) {
        this.modelConfig = config;
        return self();
    }

    /** @param config the training config (its expert_parallel section for a job of ranks) @return this */
    public B setTrainConfig(TrainConfig config) {
        this.trainConfig = config;
        return self();
    }

    /**
     * @param dataset a prepared dataset folder (dataset.json), on any Hadoop file system (every executor must reach
     *     it when ranks read it)
     * @return this
     */
    public B setTrainData(Location dataset) {
        this.trainData = dataset;
        return self();
    }

    /** @param dataset a prepared dataset folder on the local disk @return this */
    public B setTrainData(Path dataset) {
        return setTrainData(Location.of(dataset));
    }

    /**
     * @param dir the output / model folder, on any Hadoop file system; a run resumes from its newest checkpoint
     * @return this
     */
    public B setOutput(Location dir) {
        this.output = dir;
        return self();
    }

    /** @param dir the output / model folder on the local disk @return this */
    public B setOutput(Path dir) {
        return setOutput(Location.of(dir));
    }

    /** @param dataset a prepared held-out set for validation, or null @return this */
    public B optValidData(Location dataset) {
        this.validData = dataset;
        return self();
    }

    /** @param dataset a prepared held-out set on the local disk, or null @return this */
    public B optValidData(Path dataset) {
        return optValidData(dataset == null ? null : Location.of(dataset));
    }

    /** @param console where progress lines go, or null for none (default) @return this */
    public B optConsole(PrintStream console) {
        this.console = console;
        return self();
    }

    /**
     * @param source where the micro-batches come from (default: the training set's shards, bucketed by duration); a
     *     job of ranks sends it to the executors, so it must be Serializable there
     * @return this
     */
    public B optBatchSource(BatchSource source) {
        this.batchSource = source;
        return self();
    }

    /**
     * @param what the builder's name, for the message
     * @throws IllegalStateException when a required setting is missing
     */
    protected void checkRequired(String what) {
        if (modelConfig == null || trainConfig == null || trainData == null || output == null) {
            throw new IllegalStateException(what + " needs setModelConfig, setTrainConfig, setTrainData and setOutput");
        }
    }

    /** @return what was set, or null */
    public ModelConfig modelConfig() {
        return modelConfig;
    }

    /** @return what was set, or null */
    public TrainConfig trainConfig() {
        return trainConfig;
    }

    /** @return what was set, or null */
    public Location trainData() {
        return trainData;
    }

    /** @return what was set, or null */
    public Location validData() {
        return validData;
    }

    /** @return what was set, or null */
    public Location output() {
        return output;
    }

    /** @return what was set, or null */
    public PrintStream console() {
        return console;
    }

    /** @return what was set, or null */
    public BatchSource batchSource() {
        return batchSource;
    }
}
