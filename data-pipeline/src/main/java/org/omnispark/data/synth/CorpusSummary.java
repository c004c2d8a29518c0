package org.omnispark.data.synth;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a synthesis run produced.
 *
 * @param manifest path of manifest.jsonl
 * @param truth path of truth.jsonl
 * @param rows number of rows in the manifest
 * @param totalAudioSeconds summed duration of all rows' synthesized audio (damaged rows included)
 * @param intactAudioSeconds summed duration of the rows whose audio is not damaged
 * @param damageCounts rows per audio damage kind, {@link AudioDamage#NONE} included (every kind present)
 * @param labelCorruptionCounts rows per label corruption kind, {@link LabelCorruption#NONE} included
 * @param noisyRows rows with added noise
 * @param formatCounts rows per {@link AudioFileFormat#id()} (damaged rows counted by their intact format)
 */
public record CorpusSummary(Path manifest, Path truth, int rows, double totalAudioSeconds, double intactAudioSeconds,
                            Map<AudioDamage, Integer> damageCounts,
                            Map<LabelCorruption, Integer> labelCorruptionCounts, int noisyRows,
                            Map<String, Integer> formatCounts) {
    public CorpusSummary {
        damageCounts = Map.copyOf(damageCounts);
        labelCorruptionCounts = Map.copyOf(labelCorruptionCounts);
        formatCounts = Map.copyOf(formatCounts);
    }

    /** Rows whose audio is damaged. */
    public int damagedRows() {
        return rows - damageCounts.getOrDefault(AudioDamage.NONE, 0);
    }

    /** Rows whose label is corrupted. */
    public int corruptedLabels() {
        return rows - labelCorruptionCounts.getOrDefault(LabelCorruption.NONE, 0);
    }
}
