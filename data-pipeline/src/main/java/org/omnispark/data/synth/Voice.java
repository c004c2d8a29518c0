package org.omnispark.data.synth;

import java.util.regex.Pattern;

/**
 * An espeak-ng voice: a language/accent voice and an optional variant (a speaker character such as {@code m3},
 * {@code f2}, {@code klatt} or {@code whisper}).
 *
 * @param language espeak-ng voice name, e.g. {@code en-us}, {@code en-gb-x-rp}
 * @param variant variant file name under {@code voices/!v}, e.g. {@code m3}; empty for the voice's default
 */
public record Voice(String language, String variant) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    public Voice {
        if (language == null || !NAME.matcher(language).matches()) {
            throw new IllegalArgumentException("voice language '" + language + "' must be an espeak-ng voice name "
                + "such as en-us (see espeak-ng --voices=en)");
        }
        if (variant == null || !(variant.isEmpty() || NAME.matcher(variant).matches())) {
            throw new IllegalArgumentException("voice variant '" + variant + "' must be empty or a variant name "
                + "such as m3 (see espeak-ng --voices=variant)");
        }
    }

    /** Parses {@code en-us+m3} or {@code en-us}. */
    public static Voice parse(String espeakName) {
        int plus = espeakName.indexOf('+');
        return plus < 0 ? new Voice(espeakName, "") : new Voice(espeakName.substring(0, plus),
            espeakName.substring(plus + 1));
    }

    /** The name given to {@code espeak-ng -v}, e.g. {@code en-us+m3}; also the manifest's speaker id. */
    public String espeakName() {
        return variant.isEmpty() ? language : language + "+" + variant;
    }

    @Override
    public String toString() {
        return espeakName();
    }
}
