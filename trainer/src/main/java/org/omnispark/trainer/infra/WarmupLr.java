package org.omnispark.trainer.infra;

/**
 * WeNet's {@code WarmupLR} (the Noam schedule scaled to peak at {@code lr}): {@code lr * warmup^0.5 *
 * min(step^-0.5, step * warmup^-1.5)}. It rises linearly to {@code lr} at {@code step == warmup} and then decays as
 * {@code step^-0.5}. With {@code warmup == 0} it is {@code lr * step^-0.5} (WeNet's behaviour).
 *
 * @param peakLr the rate reached at the end of warmup
 * @param warmupSteps warmup length in updates (0 = no warmup)
 */
public record WarmupLr(double peakLr, long warmupSteps) implements LearningRateSchedule {

    /** Validates the values. */
    public WarmupLr {
        if (!(peakLr > 0) || Double.isInfinite(peakLr)) {
            throw new IllegalArgumentException("peakLr must be a positive number, got " + peakLr);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        }
    }

    @Override
    public double learningRate(long step) {
        LearningRateSchedule.checkStep(step);
        if (warmupSteps == 0) {
            return peakLr * Math.pow(step, -0.5);
        }
        return peakLr
                * Math.sqrt(warmupSteps)
                * Math.min(Math.pow(step, -0.5), step * Math.pow(warmupSteps, -1.5));
    }
}
