package org.omnispark.trainer.infra;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one logged training step reports.
 *
 * @param step the optimizer update number (from 1)
 * @param epoch the epoch (from 0)
 * @param losses loss parts by name in a stable order, e.g. {@code loss, ctc, att, aux}
 * @param learningRate the learning rate of this update
 * @param gradNorm the global gradient norm before clipping (NaN if not measured)
 * @param tokensPerSecond throughput (frames or tokens per second, as the trainer defines; NaN if not measured)
 * @param wallTimeSeconds seconds since the Unix epoch when the step finished
 */
public record StepMetrics(long step, int epoch, Map<String, Double> losses, double learningRate, double gradNorm,
        double tokensPerSecond, double wallTimeSeconds) {

    /** Validates the values and copies the loss map (keeping its order). */
    public StepMetrics {
        if (step < 0 || epoch < 0) {
            throw new IllegalArgumentException("step and epoch must be >= 0, got " + step + ", " + epoch);
        }
        if (losses == null || losses.isEmpty()) {
            throw new IllegalArgumentException("losses must name at least one value, e.g. {\"loss\": 1.2}");
        }
        for (String name : losses.keySet()) {
            if (name == null || !name.matches("[A-Za-z0-9_./-]+")) {
                throw new IllegalArgumentException("loss name '" + name + "' must match [A-Za-z0-9_./-]+");
            }
        }
        losses = Collections.unmodifiableMap(new LinkedHashMap<>(losses));
    }
}
