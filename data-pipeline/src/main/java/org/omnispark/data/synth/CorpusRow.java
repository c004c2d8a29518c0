package org.omnispark.data.synth;

/**
 * Everything about one synthesized row: what the manifest says and what is really in the audio.
 *
 * @param key unique row key, e.g. {@code synth-train-000123}; rows sort by key
 * @param split the split the sentence and voice come from
 * @param sentence what was spoken
 * @param label the pseudo-label written to the manifest (the spoken text unless corrupted)
 * @param labelCorruption how the label was altered
 * @param confidence pseudo-label confidence: 0.8..1.0 for clean labels, 0.1..0.5 for corrupted ones
 * @param voice voice, rate and pitch
 * @param format the format the audio was written in (before any damage)
 * @param noiseSnrDb signal-to-noise ratio of the added white noise in dB, or NaN when no noise was added
 * @param damage how the audio file was damaged
 * @param audioPath the manifest's audio path (relative to the corpus folder unless absolute paths were asked for)
 * @param durationSeconds duration of the intact audio; NaN until the row is rendered
 * @param seed the row's own random seed (noise and damage bytes come from it)
 */
public record CorpusRow(String key, Split split, Sentence sentence, String label, LabelCorruption labelCorruption,
                        double confidence, VoiceSettings voice, AudioFileFormat format, double noiseSnrDb,
                        AudioDamage damage, String audioPath, double durationSeconds, long seed) {
    public CorpusRow {
        if (key == null || key.isEmpty() || split == null || sentence == null || label == null
            || labelCorruption == null || voice == null || format == null || damage == null || audioPath == null) {
            throw new IllegalArgumentException("every CorpusRow field but the numbers is required (key " + key + ")");
        }
        if (!(confidence >= 0.0 && confidence <= 1.0)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], got " + confidence + " for " + key);
        }
        if ((labelCorruption == LabelCorruption.NONE) != label.equals(sentence.text())) {
            throw new IllegalArgumentException("row " + key + ": label corruption " + labelCorruption
                + " does not match label '" + label + "' for text '" + sentence.text() + "'");
        }
    }

    /** True if the row has noise added. */
    public boolean noisy() {
        return !Double.isNaN(noiseSnrDb);
    }

    /** This row with its measured duration. */
    public CorpusRow withDuration(double seconds) {
        return new CorpusRow(key, split, sentence, label, labelCorruption, confidence, voice, format, noiseSnrDb,
            damage, audioPath, seconds, seed);
    }
}
