package org.omnispark.data.sql;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.omnispark.data.audio.Audio;
import org.omnispark.data.audio.AudioDecoder;
import org.omnispark.data.audio.AudioFormatException;
import org.omnispark.data.audio.Resampler;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.features.Fbank;
import org.omnispark.data.features.FbankOptions;
import org.omnispark.data.text.TextNormalizer;

/**
 * SQL functions for notebooks (SQL, PySpark, Scala): register once per session with {@link #register}, then e.g.
 *
 * <pre>
 *   SELECT path, omnispark_fbank(content) AS feats, omnispark_audio_duration(content) AS seconds
 *   FROM binaryFile.`/data/wavs/*.wav`
 * </pre>
 *
 * <ul>
 *   <li>{@code omnispark_fbank(audio BINARY) -> ARRAY<FLOAT>}: Kaldi fbank (OmniSpark's default options: 80 bins,
 *       16 kHz, dither 0) of a WAV/FLAC file's bytes, row-major [frames x bins], after downmix and resampling;
 *       NULL when the audio cannot be decoded or is shorter than one frame.</li>
 *   <li>{@code omnispark_fbank_with(audio BINARY, options_json STRING) -> ARRAY<FLOAT>}: the same with options as
 *       the JSON of the {@code fbank:} section of conf/data/prepare.yaml (absent keys take defaults).</li>
 *   <li>{@code omnispark_audio_duration(audio BINARY) -> DOUBLE}: seconds, NULL when undecodable.</li>
 *   <li>{@code omnispark_audio_error(audio BINARY) -> STRING}: why the audio cannot be decoded
 *       (REASON: detail), NULL when it can.</li>
 *   <li>{@code omnispark_normalize_text(text STRING) -> STRING}: the default text normalization.</li>
 * </ul>
 */
public final class OmniSparkFunctions {
    /** Resamplers are thread-safe and costly to build (filter taps): one per rate pair, shared by all rows. */
    private static final java.util.concurrent.ConcurrentMap<Long, Resampler> RESAMPLERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private OmniSparkFunctions() {
    }

    /** Registers every function on the session. */
    public static void register(SparkSession spark) {
        spark.udf().register("omnispark_fbank", (UDF1<byte[], float[]>) bytes -> fbank(bytes, FbankOptions.defaults()),
                DataTypes.createArrayType(DataTypes.FloatType, false));
        spark.udf().register("omnispark_fbank_with", (UDF2<byte[], String, float[]>) (bytes, json) ->
                fbank(bytes, options(json)), DataTypes.createArrayType(DataTypes.FloatType, false));
        spark.udf().register("omnispark_audio_duration", (UDF1<byte[], Double>) bytes -> {
            Audio a = decodeOrNull(bytes);
            return a == null ? null : a.durationSeconds();
        }, DataTypes.DoubleType);
        spark.udf().register("omnispark_audio_error", (UDF1<byte[], String>) bytes -> {
            if (bytes == null) {
                return null;
            }
            try {
                AudioDecoder.decode(bytes, "audio");
                return null;
            } catch (AudioFormatException e) {
                return e.reason() + ": " + e.getMessage();
            }
        }, DataTypes.StringType);
        TextNormalizer normalizer = new TextNormalizer();
        spark.udf().register("omnispark_normalize_text",
                (UDF1<String, String>) t -> t == null ? null : normalizer.normalize(t), DataTypes.StringType);
    }

    /** The fbank of encoded audio, or null when it cannot be decoded or has no frame. */
    public static float[] fbank(byte[] bytes, FbankOptions options) {
        Audio audio = decodeOrNull(bytes);
        if (audio == null) {
            return null;
        }
        int rate = (int) options.sampleFrequency();
        float[] samples = audio.sampleRate() == rate ? audio.samples()
                : RESAMPLERS.computeIfAbsent(((long) audio.sampleRate() << 32) | rate,
                        k -> Resampler.of(audio.sampleRate(), rate)).resample(audio.samples());
        Fbank fbank = new Fbank(options);
        return fbank.hasFrames(samples.length) ? fbank.compute(samples, 0L) : null;
    }

    private static Audio decodeOrNull(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return AudioDecoder.decode(bytes, "audio");
        } catch (AudioFormatException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static FbankOptions options(String json) {
        if (json == null || json.isBlank()) {
            return FbankOptions.defaults();
        }
        try {
            return FbankOptions.fromMap(ConfigLoader.json().readValue(json, Map.class));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("omnispark_fbank options must be a JSON object such as "
                    + "'{\"num_mel_bins\": 40}', got: " + json, e);
        }
    }
}
