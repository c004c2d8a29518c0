package org.omnispark.data.synth;

/**
 * How one utterance is spoken: the voice, the speaking rate and the pitch.
 *
 * @param voice the espeak-ng voice and variant
 * @param rateWpm speaking rate in words per minute ({@code espeak-ng -s}), 80..450
 * @param pitch pitch adjustment ({@code espeak-ng -p}), 0..99
 */
public record VoiceSettings(Voice voice, int rateWpm, int pitch) {
    public VoiceSettings {
        if (voice == null) {
            throw new IllegalArgumentException("voice is required");
        }
        if (rateWpm < 80 || rateWpm > 450) {
            throw new IllegalArgumentException("rateWpm must be in 80..450 (espeak-ng -s), got " + rateWpm);
        }
        if (pitch < 0 || pitch > 99) {
            throw new IllegalArgumentException("pitch must be in 0..99 (espeak-ng -p), got " + pitch);
        }
    }
}
