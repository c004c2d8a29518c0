package org.omnispark.trainer.infra;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Updates a fixed list of {@link ModelParameter}s from their accumulated gradients.
 *
 * <p>Contract: the caller runs forward + backward (gradients accumulate), optionally clips with {@link
 * GradientClipping}, calls {@link #step(double)} with the learning rate of the schedule, then zeroes the gradients
 * ({@link org.omnispark.trainer.nn.ParameterCollector#zeroGradients}). {@code step} switches grad mode off on the
 * calling thread for the update and restores it afterwards.
 *
 * <p>State is exposed by name so that {@link CheckpointManager} can save and restore it without knowing the
 * optimizer: tensors are the live state arrays (a restore writes into them), counters are plain longs.
 */
public interface Optimizer {

    /** @return the parameters this optimizer updates, in a stable order */
    List<ModelParameter> parameters();

    /**
     * Applies one update to every parameter from its current gradient.
     *
     * @param learningRate the learning rate for this update (from a {@link LearningRateSchedule})
     */
    void step(double learningRate);

    /** @return how many updates {@link #step} has applied (restored by a checkpoint) */
    long stepCount();

    /**
     * The live state tensors, keyed {@code <parameter name>.<state name>} (e.g. {@code "enc.w1.exp_avg"}). Do not
     * close them; a checkpoint restore overwrites their values in place.
     *
     * @return name to tensor, in a stable order
     */
    Map<String, NDArray> stateTensors();

    /** @return the scalar state, keyed like {@link #stateTensors()} (e.g. {@code "enc.w1.step"}) */
    Map<String, Long> stateCounters();

    /**
     * Restores the scalar state saved by {@link #stateCounters()}.
     *
     * @param counters every key of {@link #stateCounters()}, no others
     */
    void restoreCounters(Map<String, Long> counters);
}
