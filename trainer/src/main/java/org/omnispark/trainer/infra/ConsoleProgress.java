package org.omnispark.trainer.infra;

import java.util.Locale;

/**
 * Formats a one-line console progress report:
 *
 * <pre>
 *   step 120/1000 (12.0%) | epoch 0 | loss 3.2100 | lr 4.00e-04 | 2.50 step/s | ETA 5m52s
 * </pre>
 *
 * Speed is measured over the steps done since this object was created (so a resumed run's ETA is not skewed by the
 * steps done before the restart); times are passed in, which keeps the formatting deterministic and testable.
 */
public final class ConsoleProgress {

    private final long totalSteps;
    private final long startStep;
    private final long startNanos;

    /**
     * @param totalSteps the step training stops at (0 if unknown: no percentage, no ETA)
     * @param startStep the step when this session started (0, or the restored checkpoint's step)
     * @param startNanos {@code System.nanoTime()} when this session started
     */
    public ConsoleProgress(long totalSteps, long startStep, long startNanos) {
        if (totalSteps < 0 || startStep < 0) {
            throw new IllegalArgumentException("totalSteps and startStep must be >= 0, got " + totalSteps + ", "
                    + startStep);
        }
        this.totalSteps = totalSteps;
        this.startStep = startStep;
        this.startNanos = startNanos;
    }

    /**
     * Formats the line for a step.
     *
     * @param step the current step
     * @param epoch the current epoch
     * @param loss the loss to show
     * @param learningRate the current learning rate
     * @param nowNanos {@code System.nanoTime()} now
     * @return the line, without a newline
     */
    public String line(long step, int epoch, double loss, double learningRate, long nowNanos) {
        StringBuilder sb = new StringBuilder();
        sb.append("step ").append(step);
        if (totalSteps > 0) {
            sb.append('/').append(totalSteps)
                    .append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * step / totalSteps));
        }
        sb.append(" | epoch ").append(epoch);
        sb.append(String.format(Locale.ROOT, " | loss %.4f | lr %.2e", loss, learningRate));
        double seconds = (nowNanos - startNanos) / 1e9;
        long done = step - startStep;
        if (done > 0 && seconds > 0) {
            double stepsPerSecond = done / seconds;
            sb.append(String.format(Locale.ROOT, " | %.2f step/s", stepsPerSecond));
            if (totalSteps > 0 && step <= totalSteps) {
                sb.append(" | ETA ").append(duration(Math.round((totalSteps - step) / stepsPerSecond)));
            }
        }
        return sb.toString();
    }

    /**
     * Formats seconds as {@code 1h02m03s}, {@code 5m52s} or {@code 42s}.
     *
     * @param seconds a non-negative duration
     * @return the text
     */
    public static String duration(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        if (h > 0) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", h, m, s);
        }
        return m > 0 ? String.format(Locale.ROOT, "%dm%02ds", m, s) : s + "s";
    }
}
