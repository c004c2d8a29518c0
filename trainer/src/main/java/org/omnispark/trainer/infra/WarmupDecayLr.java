package org.omnispark.trainer.infra;

/**
 * Linear warmup from 0 to {@code peakLr} over {@code warmupSteps}, then a cosine or linear decay to {@code minLr} at
 * {@code totalSteps}; constant {@code minLr} after that.
 *
 * <pre>
 *   step &lt;= warmup:  lr = peak * step / warmup
 *   else:            p  = min(1, (step - warmup) / (total - warmup))
 *                    COSINE: lr = min + (peak - min) * 0.5 * (1 + cos(pi * p))
 *                    LINEAR: lr = min + (peak - min) * (1 - p)
 * </pre>
 *
 * @param peakLr the rate at the end of warmup
 * @param minLr the final rate
 * @param warmupSteps warmup length in updates (0 = start at the peak)
 * @param totalSteps the update at which the decay reaches {@code minLr}; must exceed warmupSteps
 * @param decay COSINE or LINEAR
 */
public record WarmupDecayLr(double peakLr, double minLr, long warmupSteps, long totalSteps, Decay decay)
        implements LearningRateSchedule {

    /** The shape of the decay after warmup. */
    public enum Decay {
        /** Half a cosine period from peak to min. */
        COSINE,
        /** A straight line from peak to min. */
        LINEAR
    }

    /** Validates the values. */
    public WarmupDecayLr {
        if (!(peakLr > 0) || Double.isInfinite(peakLr)) {
            throw new IllegalArgumentException("peakLr must be a positive number, got " + peakLr);
        }
        if (!(minLr >= 0) || minLr > peakLr) {
            throw new IllegalArgumentException("minLr must be in [0, peakLr=" + peakLr + "], got " + minLr);
        }
        if (warmupSteps < 0 || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("need 0 <= warmupSteps < totalSteps, got warmupSteps=" + warmupSteps
                    + ", totalSteps=" + totalSteps + "; set max_steps above warmup_steps");
        }
        if (decay == null) {
            throw new IllegalArgumentException("decay is required: COSINE or LINEAR");
        }
    }

    @Override
    public double learningRate(long step) {
        LearningRateSchedule.checkStep(step);
        if (step <= warmupSteps) {
            return peakLr * step / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        double factor = decay == Decay.COSINE ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
        return minLr + (peakLr - minLr) * factor;
    }
}
