package org.omnispark.data.features;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.omnispark.data.config.ConfigLoader;

/**
 * Every option of a Kaldi log-mel filterbank ({@code compute-fbank-feats}), validated on construction.
 *
 * <p>Defaults are Kaldi's except {@code dither} (0.0 here, so features are deterministic; Kaldi's 1.0 is
 * allowed) and {@code numMelBins} (80, the usual ASR choice; Kaldi's is 23). {@code inputScale} maps
 * OmniSpark's samples in [-1, 1) to Kaldi's int16 scale. The options are stored with the features:
 * {@link #toMap()} and {@link #fromMap(Map)} use snake_case keys ({@code frame_length_ms},
 * {@code num_mel_bins}, ...).
 *
 * @param sampleFrequency sample rate of the audio in Hz (Kaldi {@code --sample-frequency})
 * @param frameLengthMs frame length in milliseconds
 * @param frameShiftMs frame shift in milliseconds
 * @param dither standard deviation of Gaussian noise added to each sample (int16 scale); 0 disables it
 * @param preemphasisCoefficient in [0, 1]; {@code x[i] -= c * x[i-1]}, {@code x[0] -= c * x[0]}
 * @param removeDcOffset subtract each frame's mean before pre-emphasis
 * @param windowType analysis window
 * @param roundToPowerOfTwo zero-pad each frame to the next power of two for the FFT
 * @param snipEdges true: only frames that fit entirely; false: frames every shift, edges reflected
 * @param numMelBins number of triangular mel filters, at least 3
 * @param lowFreq low edge of the first mel filter in Hz, in [0, Nyquist)
 * @param highFreq high edge of the last filter in Hz; 0 means Nyquist, negative means Nyquist + highFreq
 * @param energyFloor floor on the energy column (only with useEnergy); 0 means no floor
 * @param useEnergy prepend the log energy of each frame as an extra column
 * @param rawEnergy energy before pre-emphasis and windowing (true) or after (false)
 * @param useLogFbank log of the filter outputs, floored at float epsilon (true), or linear (false)
 * @param usePower power spectrum (true) or magnitude spectrum (false)
 * @param inputScale factor applied to the input samples (32768 turns [-1, 1) into int16 values)
 * @param blackmanCoeff coefficient of the generalized Blackman window
 */
public record FbankOptions(
        double sampleFrequency,
        double frameLengthMs,
        double frameShiftMs,
        double dither,
        double preemphasisCoefficient,
        boolean removeDcOffset,
        WindowType windowType,
        boolean roundToPowerOfTwo,
        boolean snipEdges,
        int numMelBins,
        double lowFreq,
        double highFreq,
        double energyFloor,
        boolean useEnergy,
        boolean rawEnergy,
        boolean useLogFbank,
        boolean usePower,
        double inputScale,
        double blackmanCoeff) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The snake_case keys of {@link #toMap()}, in order. */
    public static final List<String> KEYS = List.of(
            "sample_frequency", "frame_length_ms", "frame_shift_ms", "dither", "preemphasis_coefficient",
            "remove_dc_offset", "window_type", "round_to_power_of_two", "snip_edges", "num_mel_bins",
            "low_freq", "high_freq", "energy_floor", "use_energy", "raw_energy", "use_log_fbank", "use_power",
            "input_scale", "blackman_coeff");

    public FbankOptions {
        requireFinite("sample_frequency", sampleFrequency);
        requireFinite("frame_length_ms", frameLengthMs);
        requireFinite("frame_shift_ms", frameShiftMs);
        requireFinite("dither", dither);
        requireFinite("preemphasis_coefficient", preemphasisCoefficient);
        requireFinite("low_freq", lowFreq);
        requireFinite("high_freq", highFreq);
        requireFinite("energy_floor", energyFloor);
        requireFinite("input_scale", inputScale);
        requireFinite("blackman_coeff", blackmanCoeff);
        if (sampleFrequency <= 0) {
            throw new IllegalArgumentException("sample_frequency must be > 0 Hz, got " + sampleFrequency);
        }
        if (windowType == null) {
            throw new IllegalArgumentException("window_type must be set (povey, hanning, hamming, rectangular or"
                    + " blackman)");
        }
        int shift = samplesOf(sampleFrequency, frameShiftMs);
        int length = samplesOf(sampleFrequency, frameLengthMs);
        if (shift < 1) {
            throw new IllegalArgumentException("frame_shift_ms " + frameShiftMs + " at " + sampleFrequency
                    + " Hz is less than one sample; increase frame_shift_ms");
        }
        if (length < 2) {
            throw new IllegalArgumentException("frame_length_ms " + frameLengthMs + " at " + sampleFrequency
                    + " Hz is less than two samples; increase frame_length_ms");
        }
        if (!roundToPowerOfTwo && length % 2 != 0) {
            throw new IllegalArgumentException("The frame has an odd number of samples (" + length
                    + ") and round_to_power_of_two is false; the FFT needs an even size: set"
                    + " round_to_power_of_two or change frame_length_ms");
        }
        if (dither < 0) {
            throw new IllegalArgumentException("dither must be >= 0 (0 disables it), got " + dither);
        }
        if (preemphasisCoefficient < 0 || preemphasisCoefficient > 1) {
            throw new IllegalArgumentException("preemphasis_coefficient must be in [0, 1], got "
                    + preemphasisCoefficient);
        }
        if (numMelBins < 3) {
            throw new IllegalArgumentException("num_mel_bins must be at least 3, got " + numMelBins);
        }
        double nyquist = 0.5 * sampleFrequency;
        double high = highFreq <= 0 ? highFreq + nyquist : highFreq;
        if (lowFreq < 0 || lowFreq >= nyquist || high <= 0 || high > nyquist || lowFreq >= high) {
            throw new IllegalArgumentException("Need 0 <= low_freq < high_freq <= Nyquist (" + nyquist
                    + " Hz); got low_freq " + lowFreq + ", high_freq " + highFreq + " (effective " + high
                    + "); high_freq 0 means Nyquist and a negative value an offset from it");
        }
        if (energyFloor < 0) {
            throw new IllegalArgumentException("energy_floor must be >= 0 (0 disables it), got " + energyFloor);
        }
        if (inputScale <= 0) {
            throw new IllegalArgumentException("input_scale must be > 0 (32768 for samples in [-1, 1)), got "
                    + inputScale);
        }
    }

    /** OmniSpark's defaults: Kaldi's, but dither 0.0 and 80 mel bins. */
    public static FbankOptions defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}' values. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this instance's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Samples per frame (Kaldi's WindowSize: {@code (int) (fs * 0.001 * frameLengthMs)}; torchaudio multiplies
     * in another order, which can differ by one sample only where the product is within rounding of an integer).
     */
    public int windowSize() {
        return samplesOf(sampleFrequency, frameLengthMs);
    }

    /** Samples between frame starts (Kaldi's WindowShift). */
    public int windowShift() {
        return samplesOf(sampleFrequency, frameShiftMs);
    }

    /** FFT size: {@link #windowSize()}, rounded up to a power of two when {@code roundToPowerOfTwo}. */
    public int paddedWindowSize() {
        int n = windowSize();
        return roundToPowerOfTwo ? Integer.highestOneBit(n - 1) << 1 : n;
    }

    /** The high edge of the last mel filter in Hz after resolving 0 / negative values. */
    public double effectiveHighFreq() {
        return highFreq <= 0 ? highFreq + 0.5 * sampleFrequency : highFreq;
    }

    /** Feature dimension: numMelBins, plus one with useEnergy. */
    public int dim() {
        return numMelBins + (useEnergy ? 1 : 0);
    }

    /** Every option under its snake_case key (window_type as its Kaldi name), in {@link #KEYS} order. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return Collections.unmodifiableMap(ConfigLoader.json().convertValue(this, LinkedHashMap.class));
    }

    /**
     * Reads options written by {@link #toMap()} (e.g. parsed back from JSON), bound as every OmniSpark config is
     * ({@link ConfigLoader#bindStrictNumbers}: snake_case keys, unknown keys and wrong types are errors). Keys that are absent
     * take {@link #defaults()}' values.
     *
     * @throws IllegalArgumentException on an unknown key (naming the valid keys), a value of the wrong
     *     type, or an invalid combination
     */
    public static FbankOptions fromMap(Map<String, ?> map) {
        ObjectNode tree = ConfigLoader.json().valueToTree(defaults().toMap());
        tree.setAll((ObjectNode) ConfigLoader.json().valueToTree(map));
        return ConfigLoader.bindStrictNumbers(tree, FbankOptions.class, "the fbank options");
    }

    private static int samplesOf(double sampleFrequency, double ms) {
        return (int) (sampleFrequency * 0.001 * ms);
    }

    private static void requireFinite(String key, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(key + " must be a finite number, got " + v);
        }
    }

    /** Builds {@link FbankOptions}; every value starts at its default, so all setters are optional. */
    public static final class Builder {
        private double sampleFrequency = 16000.0;
        private double frameLengthMs = 25.0;
        private double frameShiftMs = 10.0;
        private double dither = 0.0;
        private double preemphasisCoefficient = 0.97;
        private boolean removeDcOffset = true;
        private WindowType windowType = WindowType.POVEY;
        private boolean roundToPowerOfTwo = true;
        private boolean snipEdges = true;
        private int numMelBins = 80;
        private double lowFreq = 20.0;
        private double highFreq = 0.0;
        private double energyFloor = 0.0;
        private boolean useEnergy = false;
        private boolean rawEnergy = true;
        private boolean useLogFbank = true;
        private boolean usePower = true;
        private double inputScale = 32768.0;
        private double blackmanCoeff = 0.42;

        private Builder() {
        }

        private Builder(FbankOptions o) {
            sampleFrequency = o.sampleFrequency;
            frameLengthMs = o.frameLengthMs;
            frameShiftMs = o.frameShiftMs;
            dither = o.dither;
            preemphasisCoefficient = o.preemphasisCoefficient;
            removeDcOffset = o.removeDcOffset;
            windowType = o.windowType;
            roundToPowerOfTwo = o.roundToPowerOfTwo;
            snipEdges = o.snipEdges;
            numMelBins = o.numMelBins;
            lowFreq = o.lowFreq;
            highFreq = o.highFreq;
            energyFloor = o.energyFloor;
            useEnergy = o.useEnergy;
            rawEnergy = o.rawEnergy;
            useLogFbank = o.useLogFbank;
            usePower = o.usePower;
            inputScale = o.inputScale;
            blackmanCoeff = o.blackmanCoeff;
        }

        public Builder optSampleFrequency(double v) {
            sampleFrequency = v;
            return this;
        }

        public Builder optFrameLengthMs(double v) {
            frameLengthMs = v;
            return this;
        }

        public Builder optFrameShiftMs(double v) {
            frameShiftMs = v;
            return this;
        }

        public Builder optDither(double v) {
            dither = v;
            return this;
        }

        public Builder optPreemphasisCoefficient(double v) {
            preemphasisCoefficient = v;
            return this;
        }

        public Builder optRemoveDcOffset(boolean v) {
            removeDcOffset = v;
            return this;
        }

        public Builder optWindowType(WindowType v) {
            windowType = v;
            return this;
        }

        public Builder optRoundToPowerOfTwo(boolean v) {
            roundToPowerOfTwo = v;
            return this;
        }

        public Builder optSnipEdges(boolean v) {
            snipEdges = v;
            return this;
        }

        public Builder optNumMelBins(int v) {
            numMelBins = v;
            return this;
        }

        public Builder optLowFreq(double v) {
            lowFreq = v;
            return this;
        }

        public Builder optHighFreq(double v) {
            highFreq = v;
            return this;
        }

        public Builder optEnergyFloor(double v) {
            energyFloor = v;
            return this;
        }

        public Builder optUseEnergy(boolean v) {
            useEnergy = v;
            return this;
        }

        public Builder optRawEnergy(boolean v) {
            rawEnergy = v;
            return this;
        }

        public Builder optUseLogFbank(boolean v) {
            useLogFbank = v;
            return this;
        }

        public Builder optUsePower(boolean v) {
            usePower = v;
            return this;
        }

        public Builder optInputScale(double v) {
            inputScale = v;
            return this;
        }

        public Builder optBlackmanCoeff(double v) {
            blackmanCoeff = v;
            return this;
        }

        /** Validates and builds; see {@link FbankOptions} for the rules. */
        public FbankOptions build() {
            return new FbankOptions(sampleFrequency, frameLengthMs, frameShiftMs, dither, preemphasisCoefficient,
                    removeDcOffset, windowType, roundToPowerOfTwo, snipEdges, numMelBins, lowFreq, highFreq,
                    energyFloor, useEnergy, rawEnergy, useLogFbank, usePower, inputScale, blackmanCoeff);
        }
    }
}
