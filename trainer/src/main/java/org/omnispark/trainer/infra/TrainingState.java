package org.omnispark.trainer.infra;

import java.util.ArrayList;
import java.util.List;

/**
 * Where training stands, saved with every checkpoint so that a resumed run continues identically.
 *
 * @param step optimizer updates applied so far (the schedule's next rate is {@code learningRate(step + 1)})
 * @param epoch the current epoch, from 0
 * @param batchesInEpoch batches per rank of the current epoch already consumed in its current part (skip these when
 *     resuming mid-epoch)
 * @param rngSeed the run's base seed
 * @param rngCounter how many random draws (e.g. batches, dropout masks) have been derived from the seed; a component
 *     derives its randomness from {@code (rngSeed, rngCounter)} so restoring both restores the random stream
 * @param worldSize the number of ranks {@code batchesInEpoch} counts for (0: unknown, a checkpoint from before it was
 *     recorded; taken as the resuming run's)
 * @param epochHistory the earlier parts of the current epoch, run on other numbers of ranks: {@code [ranks, batches
 *     per rank]} each, oldest first; empty when the whole epoch so far ran on {@code worldSize} ranks
 */
public record TrainingState(long step, int epoch, long batchesInEpoch, long rngSeed, long rngCounter,
                            Integer worldSize, List<List<Long>> epochHistory) {

    /** Validates the values. */
    public TrainingState {
        if (step < 0 || epoch < 0 || batchesInEpoch < 0 || rngCounter < 0) {
            throw new IllegalArgumentException("step, epoch, batchesInEpoch and rngCounter must be >= 0, got " + step
                    + ", " + epoch + ", " + batchesInEpoch + ", " + rngCounter);
        }
        worldSize = worldSize == null ? 0 : worldSize;
        epochHistory = epochHistory == null ? List.of() : List.copyOf(epochHistory);
    }

    /** A state whose epoch position was counted on an unknown number of ranks and has no history. */
    public TrainingState(long step, int epoch, long batchesInEpoch, long rngSeed, long rngCounter) {
        this(step, epoch, batchesInEpoch, rngSeed, rngCounter, 0, List.of());
    }

    /** @param seed the run's seed @return the state before the first update */
    public static TrainingState start(long seed) {
        return new TrainingState(0, 0, 0, seed, 0);
    }

    /** @param batches batches consumed by this update (accum_grad micro-batches) @return the state after an update */
    public TrainingState afterStep(long batches) {
        return new TrainingState(step + 1, epoch, batchesInEpoch + batches, rngSeed, rngCounter + batches, worldSize,
                epochHistory);
    }

    /** @return the state at the start of the next epoch */
    public TrainingState nextEpoch() {
        return new TrainingState(step, epoch + 1, 0, rngSeed, rngCounter, worldSize, List.of());
    }

    /**
     * The state as a run on {@code ranks} ranks continues it: when the current epoch's position was counted on
     * another number of ranks, that part becomes history and the count restarts (the batch source then serves the
     * rest of the epoch, each utterance once).
     */
    public TrainingState onRanks(int ranks) {
        if (worldSize == 0 || worldSize == ranks || batchesInEpoch == 0) {
            return new TrainingState(step, epoch, batchesInEpoch, rngSeed, rngCounter, ranks, epochHistory);
        }
        List<List<Long>> history = new ArrayList<>(epochHistory);
        history.add(List.of((long) worldSize, batchesInEpoch));
        return new TrainingState(step, epoch, 0, rngSeed, rngCounter, ranks, history);
    }
}
