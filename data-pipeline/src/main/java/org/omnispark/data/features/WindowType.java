package org.omnispark.data.features;

import java.util.Arrays;
import java.util.Locale;

/**
 * The analysis windows of Kaldi's frame extraction ({@code --window-type}), with Kaldi's definitions
 * (symmetric windows: {@code a = 2 pi / (N - 1)}, sample index {@code i = 0 .. N-1}).
 */
public enum WindowType {
    /** {@code (0.5 - 0.5 cos(a i))^0.85}: like Hann but reaching zero at both edges; Kaldi's default. */
    POVEY("povey"),
    /** {@code 0.5 - 0.5 cos(a i)}. */
    HANNING("hanning"),
    /** {@code 0.54 - 0.46 cos(a i)}. */
    HAMMING("hamming"),
    /** All ones. */
    RECTANGULAR("rectangular"),
    /** {@code c - 0.5 cos(a i) + (0.5 - c) cos(2 a i)} with c = blackman_coeff. */
    BLACKMAN("blackman");

    private final String kaldiName;

    WindowType(String kaldiName) {
        this.kaldiName = kaldiName;
    }

    /** The name Kaldi and torchaudio use ({@code povey}, {@code hanning}, ...). */
    @com.fasterxml.jackson.annotation.JsonValue
    public String kaldiName() {
        return kaldiName;
    }

    /**
     * Parses a Kaldi window name (case-insensitive).
     *
     * @throws IllegalArgumentException naming the valid names when {@code name} is not one of them
     */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static WindowType fromKaldiName(String name) {
        if (name != null) {
            String lower = name.toLowerCase(Locale.ROOT);
            for (WindowType type : values()) {
                if (type.kaldiName.equals(lower)) {
                    return type;
                }
            }
        }
        throw new IllegalArgumentException("Unknown window_type '" + name + "'; use one of "
                + Arrays.stream(values()).map(WindowType::kaldiName).toList());
    }

    /**
     * The window's values.
     *
     * @param length window length N in samples, at least 2
     * @param blackmanCoeff c of the Blackman window (ignored by the other types)
     * @return [N] window values
     */
    public double[] create(int length, double blackmanCoeff) {
        if (length < 2) {
            throw new IllegalArgumentException("Window length must be at least 2 samples, got " + length);
        }
        double a = 2.0 * Math.PI / (length - 1);
        double[] w = new double[length];
        for (int i = 0; i < length; i++) {
            double cos = Math.cos(a * i);
            w[i] = switch (this) {
                case POVEY -> Math.pow(0.5 - 0.5 * cos, 0.85);
                case HANNING -> 0.5 - 0.5 * cos;
                case HAMMING -> 0.54 - 0.46 * cos;
                case RECTANGULAR -> 1.0;
                case BLACKMAN -> blackmanCoeff - 0.5 * cos + (0.5 - blackmanCoeff) * Math.cos(2.0 * a * i);
            };
        }
        return w;
    }
}
