package org.omnispark.trainer.train;

/**
 * Where training stands, saved with every checkpoint so that a resumed run continues identically.
 *
 * @param step optimizer updates applied so far (the schedule's next rate is {@code learningRate(step + 1)})
 * @param epoch the current epoch, from 0
 * @param batchesInEpoch batches of the current epoch already consumed (skip these when resuming mid-epoch)
 * @param rngSeed the run's base seed
 * @param rngCounter how many random draws (e.g. batches, dropout masks) have been derived from the seed; a component
 *     derives its randomness from {@code (rngSeed, rngCounter)} so restoring both restores the random stream
 */
public record TrainingState(long step, int epoch, long batchesInEpoch, long rngSeed, long rngCounter) {

    /** Validates the values. */
    public TrainingState {
        if (step < 0 || epoch < 0 || batchesInEpoch < 0 || rngCounter < 0) {
            throw new IllegalArgumentException("step, epoch, batchesInEpoch and rngCounter must be >= 0, got " + step
                    + ", " + epoch + ", " + batchesInEpoch + ", " + rngCounter);
        }
    }

    /** @param seed the run's seed @return the state before the first update */
    public static TrainingState start(long seed) {
        return new TrainingState(0, 0, 0, seed, 0);
    }

    /** @param batches batches consumed by this update (accum_grad micro-batches) @return the state after an update */
    public TrainingState afterStep(long batches) {
        return new TrainingState(step + 1, epoch, batchesInEpoch + batches, rngSeed, rngCounter + batches);
    }

    /** @return the state at the start of the next epoch */
    public TrainingState nextEpoch() {
        return new TrainingState(step, epoch + 1, 0, rngSeed, rngCounter);
    }
}
