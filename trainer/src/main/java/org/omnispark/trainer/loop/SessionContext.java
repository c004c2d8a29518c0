package org.omnispark.trainer.loop;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.infra.StepMetrics;

/**
 * What a {@link TrainingSession} takes from the {@link Trainer} that runs it: the configs, the process groups, where
 * batches come from, whether to stop, and where progress goes. Nothing else of the trainer is visible to it.
 *
 * @param modelConfig the model's config
 * @param trainConfig the training config
 * @param parallelism the process groups (the trivial ones in one process)
 * @param batchSource this rank's batches of each epoch
 * @param cancellation true when this attempt was superseded or failed elsewhere
 * @param stepListener gets every step's metrics, or null
 * @param logListener gets the logged steps' metrics (those written to metrics.jsonl), or null
 * @param console prints a line for the user (rank 0's console), never null
 */
record SessionContext(ModelConfig modelConfig, TrainConfig trainConfig, ExpertParallelism parallelism,
        BatchSource batchSource, BooleanSupplier cancellation, Consumer<StepMetrics> stepListener,
        Consumer<StepMetrics> logListener, Consumer<String> console) {

    /** @return true when the session must stop and write nothing more */
    boolean cancelled() {
        return cancellation.getAsBoolean();
    }

    void stepDone(StepMetrics metrics) {
        if (stepListener != null) {
            stepListener.accept(metrics);
        }
    }

    void stepLogged(StepMetrics metrics) {
        if (logListener != null) {
            logListener.accept(metrics);
        }
    }

    void log(String line) {
        console.accept(line);
    }
}
