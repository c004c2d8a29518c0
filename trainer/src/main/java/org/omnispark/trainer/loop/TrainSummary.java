package org.omnispark.trainer.loop;

import org.apache.hadoop.fs.Path;
import java.util.List;

/**
 * What {@link Trainer#run} did in this session.
 *
 * @param startStep the step it started from (0, or the restored checkpoint's step)
 * @param finalStep the step it stopped at
 * @param epoch the epoch it stopped in
 * @param losses the total training loss of every update of this session, in order
 * @param validations every validation of this session
 * @param lastCheckpoint the last checkpoint written (or restored, when nothing was left to do)
 * @param seconds wall seconds of the session
 */
public record TrainSummary(long startStep, long finalStep, int epoch, List<Double> losses,
        List<ValidationResult> validations, Path lastCheckpoint, double seconds) {

    /** Copies the lists. */
    public TrainSummary {
        losses = List.copyOf(losses);
        validations = List.copyOf(validations);
    }
}
