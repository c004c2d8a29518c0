package org.omnispark.trainer.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;

/**
 * Runs {@code train --ranks N}: found with {@link java.util.ServiceLoader}, so that the trainer does not depend on
 * the expert-parallel module that implements it (on a Spark barrier stage).
 */
public interface ExpertParallelLauncher {

    /**
     * Trains with the experts spread over {@code ranks} ranks.
     *
     * @param ranks N
     * @param model the model config
     * @param train the training config
     * @param data the prepared training set
     * @param valid a prepared held-out set, or null
     * @param out the output folder (the single-process layout)
     * @param console where progress goes
     * @return what the run did
     */
    TrainSummary train(int ranks, ModelConfig model, TrainConfig train, Path data, Path valid, Path out,
            PrintStream console);
}
