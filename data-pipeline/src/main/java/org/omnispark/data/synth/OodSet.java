package org.omnispark.data.synth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One out-of-domain evaluation set, made from an in-domain set by changing how each sentence sounds (the way the
 * Omni-router paper evaluates on unseen domains), named as on the command line:
 *
 * <ul>
 *   <li>{@code flite}: the same sentence spoken by a second synthesizer ({@link Flite}, its four voices in turn);
 *   <li>{@code noiseNdb}: white Gaussian noise at N dB SNR, N an integer, may be negative ({@code noise-5db};
 *       {@link PcmWav#withNoise});
 *   <li>{@code fast}, {@code slow}: tempo 1.3 and 0.75, pitch kept ({@link Sox#tempo});
 *   <li>{@code reverb}: reverberance 50 %, room scale 100 %, 0.5 s of tail kept ({@link Sox#reverb}).
 * </ul>
 *
 * @param name the set's name (its folder)
 * @param kind what it changes
 * @param value the SNR in dB for {@link Kind#NOISE}, the tempo factor for {@link Kind#TEMPO}, else 0
 */
public record OodSet(String name, Kind kind, double value) {
    /** What a set changes. */
    public enum Kind { FLITE, NOISE, TEMPO, REVERB }

    /** The sets made when none are named. */
    public static final String DEFAULT_SETS = "flite,noise5db,fast,slow";

    private static final Pattern NOISE = Pattern.compile("noise(-?\\d{1,3})db");

    /**
     * @param name flite, noiseNdb, fast, slow or reverb
     * @throws IllegalArgumentException for any other name, listing the names there are
     */
    public static OodSet parse(String name) {
        Matcher noise = NOISE.matcher(name);
        if (noise.matches()) {
            return new OodSet(name, Kind.NOISE, Integer.parseInt(noise.group(1)));
        }
        return switch (name) {
            case "flite" -> new OodSet(name, Kind.FLITE, 0);
            case "fast" -> new OodSet(name, Kind.TEMPO, 1.3);
            case "slow" -> new OodSet(name, Kind.TEMPO, 0.75);
            case "reverb" -> new OodSet(name, Kind.REVERB, 0);
            default -> throw new IllegalArgumentException("unknown out-of-domain set '" + name
                    + "': use flite, noiseNdb (N dB SNR, e.g. noise5db or noise-5db), fast, slow or reverb");
        };
    }
}
