package org.omnispark.data.synth;

import java.nio.file.Path;

/**
 * The validated options of one synthesis run; made by {@link CorpusSynthesizer.Builder}.
 *
 * @param outputDir corpus folder (created if needed)
 * @param utterances number of rows, at least 1
 * @param seed master seed
 * @param split which sentence and voice pool to draw from
 * @param corruptLabelFraction fraction of rows with a corrupted, low-confidence label, in [0, 1]
 * @param damagedAudioFraction fraction of rows with damaged audio, in [0, 1]
 * @param noiseFraction fraction of rows with white noise at 10..30 dB SNR, in [0, 1]
 * @param formatMix true: draw each intact row's format from {@link AudioFileFormat#MIX}; false: all
 *     {@link AudioFileFormat#STANDARD}
 * @param threads number of rows rendered at once, at least 1
 * @param absolutePaths true: manifest paths are absolute; false: relative to {@code outputDir}
 * @param espeakCommand the espeak-ng program
 * @param soxCommand the sox program
 */
public record CorpusOptions(Path outputDir, int utterances, long seed, Split split, double corruptLabelFraction,
                            double damagedAudioFraction, double noiseFraction, boolean formatMix, int threads,
                            boolean absolutePaths, String espeakCommand, String soxCommand) {
    public CorpusOptions {
        if (outputDir == null) {
            throw new IllegalArgumentException("outputDir is required: call setOutputDir(path)");
        }
        if (utterances < 1) {
            throw new IllegalArgumentException("utterances must be at least 1: call setUtterances(n), got "
                + utterances);
        }
        if (split == null) {
            throw new IllegalArgumentException("split is required (train or heldout)");
        }
        checkFraction("corruptLabelFraction", corruptLabelFraction);
        checkFraction("damagedAudioFraction", damagedAudioFraction);
        checkFraction("noiseFraction", noiseFraction);
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (espeakCommand == null || espeakCommand.isBlank() || soxCommand == null || soxCommand.isBlank()) {
            throw new IllegalArgumentException("espeakCommand and soxCommand must name programs");
        }
    }

    private static void checkFraction(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
        }
    }
}
