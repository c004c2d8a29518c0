package org.omnispark.data.job;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall-clock seconds of consecutive phases of a job (each {@link #mark} ends one phase). */
final class PhaseTimer {
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private long last = System.nanoTime();

    void mark(String phase) {
        long now = System.nanoTime();
        seconds.merge(phase, (now - last) / 1e9, Double::sum);
        last = now;
    }

    Map<String, Double> seconds() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
    }
}
