package org.omnispark.trainer.infra;

/**
 * The learning rate as a function of the optimizer step.
 *
 * <p>Steps are counted from 1: {@code learningRate(1)} is the rate of the first update (WeNet's convention, where
 * the scheduler's {@code last_epoch + 1} is the update number). A schedule is stateless, so resuming from a
 * checkpoint only needs the step.
 */
public interface LearningRateSchedule {

    /**
     * Returns the learning rate of an update.
     *
     * @param step the update number, starting at 1
     * @return the learning rate (non-negative)
     */
    double learningRate(long step);

    /** Fails with a helpful message if {@code step} is not a valid update number. */
    static void checkStep(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("learning-rate steps start at 1 (the first update), got " + step);
        }
    }
}
