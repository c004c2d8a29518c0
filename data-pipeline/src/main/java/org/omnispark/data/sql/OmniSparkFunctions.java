package org.omnispark.data.sql;

import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataType;
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
 * SQL functions for notebooks (SQL, PySpark, Scala): with {@code spark.sql.extensions=org.omnispark.data.sql.
 * OmniSparkExtensions} in the session's config (or after {@link #register} on a running session), e.g.
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

    /**
     * One SQL function: its name, arguments (for messages), result type and implementation (a {@link UDF1} or
     * {@link UDF2}).
     */
    record Function(String name, String arguments, DataType resultType, Object udf) {
        int arity() {
            return udf instanceof UDF2 ? 2 : 1;
        }
    }

    /** Every function, for {@link #register} and {@link OmniSparkExtensions}. */
    static java.util.List<Function> functions() {
        TextNormalizer normalizer = new TextNormalizer();
        return java.util.List.of(
                new Function("omnispark_fbank", "audio BINARY", DataTypes.createArrayType(DataTypes.FloatType, false),
                        (UDF1<byte[], float[]>) bytes -> fbank(bytes, FbankOptions.defaults())),
                new Function("omnispark_fbank_with", "audio BINARY, options_json STRING",
                        DataTypes.createArrayType(DataTypes.FloatType, false),
                        (UDF2<byte[], String, float[]>) (bytes, json) -> fbank(bytes, options(json))),
                new Function("omnispark_audio_duration", "audio BINARY", DataTypes.DoubleType,
                        (UDF1<byte[], Double>) bytes -> {
                            Audio a = decodeOrNull(bytes);
                            return a == null ? null : a.durationSeconds();
                        }),
                new Function("omnispark_audio_error", "audio BINARY", DataTypes.StringType,
                        (UDF1<byte[], String>) OmniSparkFunctions::audioError),
                new Function("omnispark_normalize_text", "text STRING", DataTypes.StringType,
                        (UDF1<String, String>) t -> t == null ? null : normalizer.normalize(t)));
    }

    /**
     * Registers every function on the session (from Java or py4j). With {@code spark.sql.extensions=}{@link
     * OmniSparkExtensions} they are there in every session without this call.
     */
    @SuppressWarnings("unchecked")
    public static void register(SparkSession spark) {
        for (Function f : functions()) {
            if (f.udf() instanceof UDF2<?, ?, ?> u2) {
                spark.udf().register(f.name(), (UDF2<Object, Object, Object>) u2, f.resultType());
            } else {
                spark.udf().register(f.name(), (UDF1<Object, Object>) f.udf(), f.resultType());
            }
        }
    }

    private static String audioError(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            AudioDecoder.decode(bytes, "audio");
            return null;
        } catch (AudioFormatException e) {
            return e.reason() + ": " + e.getMessage();
        }
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
