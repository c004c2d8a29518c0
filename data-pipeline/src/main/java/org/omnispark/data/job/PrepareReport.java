package org.omnispark.data.job;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.omnispark.data.config.ConfigLoader;

/**
 * The accounting of one {@code prepare} run: every input row is either accepted or rejected (inputRows ==
 * acceptedRows + rejectedRows); speed-perturbed copies of accepted rows are counted apart.
 *
 * @param output the dataset folder
 * @param inputRows manifest rows read (blank lines are not rows)
 * @param acceptedRows input rows written to the shards
 * @param rejectedRows input rows written to the rejects table
 * @param rejectedByReason rejected rows per {@link org.omnispark.data.RejectReason}
 * @param speedPerturbedRows extra rows made by speed perturbation
 * @param outputRows all rows in the shards
 * @param shards number of shard files
 * @param hours hours of audio in the shards
 * @param seconds wall-clock seconds of the run
 * @param phaseSeconds wall-clock seconds per phase, in order
 */
public record PrepareReport(String output, long inputRows, long acceptedRows, long rejectedRows,
                            Map<String, Long> rejectedByReason, long speedPerturbedRows, long outputRows, int shards,
                            double hours, double seconds, Map<String, Double> phaseSeconds) {

    /** The report as JSON (written as report.json beside dataset.json). */
    public String toJson() {
        try {
            return ConfigLoader.json().writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A human-readable summary for the console. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("prepared %s in %.1f s%n", output, seconds));
        sb.append(String.format("  input rows      %8d%n", inputRows));
        sb.append(String.format("  accepted        %8d%n", acceptedRows));
        sb.append(String.format("  rejected        %8d%n", rejectedRows));
        rejectedByReason.forEach((k, v) -> sb.append(String.format("    %-26s %8d%n", k, v)));
        sb.append(String.format("  check           %8d = %d + %d%n", inputRows, acceptedRows, rejectedRows));
        sb.append(String.format("  speed-perturbed %8d%n", speedPerturbedRows));
        sb.append(String.format("  output rows     %8d in %d shards, %.3f h of audio%n", outputRows, shards, hours));
        sb.append(String.format("  speed           %.0fx real time (%.1f s)%n", hours * 3600 / seconds, seconds));
        phaseSeconds.forEach((k, v) -> sb.append(String.format("    %-26s %8.1f s%n", k, v)));
        return sb.toString();
    }
}
