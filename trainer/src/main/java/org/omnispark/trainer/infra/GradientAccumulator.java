package org.omnispark.trainer.infra;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.nn.Scalars;

/**
 * Gradient accumulation over {@code accumGrad} micro-batches (WeNet's {@code accum_grad}): each micro-batch loss is
 * scaled by {@code 1 / accumGrad} before backward, so the summed gradient is the gradient of the mean loss, and the
 * optimizer steps after every {@code accumGrad}-th micro-batch.
 *
 * <pre>
 *   NDArray scaled = accumulator.scaleLoss(loss);   // loss / accumGrad
 *   backward(scaled);
 *   if (accumulator.microBatchDone()) { clip; optimizer.step(lr); zero gradients; }
 * </pre>
 *
 * <p>Not thread-safe; one per training thread. Its position is part of the data position saved in a checkpoint only
 * at update boundaries (save after a step, where {@link #pending()} is 0).
 */
public final class GradientAccumulator {

    private final int accumGrad;
    private int pending;

    /** @param accumGrad micro-batches per update, &gt;= 1 */
    public GradientAccumulator(int accumGrad) {
        if (accumGrad < 1) {
            throw new IllegalArgumentException("accum_grad must be >= 1, got " + accumGrad);
        }
        this.accumGrad = accumGrad;
    }

    /** @return micro-batches per update */
    public int accumGrad() {
        return accumGrad;
    }

    /** @return the scale applied to each micro-batch loss, {@code 1 / accumGrad} */
    public double lossScale() {
        return 1.0 / accumGrad;
    }

    /**
     * Returns {@code loss / accumGrad} (a new array in the loss's manager; the loss itself is unchanged).
     *
     * @param loss the micro-batch loss, a scalar
     * @return the scaled loss to run backward on
     */
    public NDArray scaleLoss(NDArray loss) {
        return accumGrad == 1 ? loss : Scalars.div(loss, accumGrad);
    }

    /**
     * Records that a micro-batch's backward pass is done.
     *
     * @return true when this completes an update: run the optimizer step and zero the gradients now
     */
    public boolean microBatchDone() {
        pending++;
        if (pending == accumGrad) {
            pending = 0;
            return true;
        }
        return false;
    }

    /** @return micro-batches accumulated since the last update (0 at an update boundary) */
    public int pending() {
        return pending;
    }
}
