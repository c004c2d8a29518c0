package org.omnispark.trainer.cli;

import java.io.PrintStream;
import org.omnispark.io.Location;
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
     * @param data the prepared training set (a qualified URI: every rank reads it)
     * @param valid a prepared held-out set, or null
     * @param out the output folder (the single-process layout; any Hadoop file system)
     * @param console where progress goes
     * @return what the run did
     */
    TrainSummary train(int ranks, ModelConfig model, TrainConfig train, Location data, Location valid,
            Location out,
            PrintStream console);
}
