package org.omnispark.data.job;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.omnispark.data.ingest.ManifestFormat;

/**
 * Everything the {@code prepare} job needs, as loaded from conf/data/*.yaml plus overrides. Each section is an
 * immutable record validated on construction; absent sections take their defaults, unknown keys are errors.
 *
 * @param input which manifests to read
 * @param audio decoding, resampling and speed perturbation
 * @param fbank Kaldi fbank options (keys of {@code FbankOptions.fromMap}); absent keys take OmniSpark's defaults
 * @param text normalization and tokenization
 * @param filters pseudo-label filters
 * @param output shards and commit
 */
public record PrepareConfig(Input input, AudioSection audio, Map<String, Object> fbank, TextSection text,
                            Filters filters, Output output) implements Serializable {

    public PrepareConfig {
        input = input == null ? new Input(null, null) : input;
        audio = audio == null ? new AudioSection(null, null, null, null, null, null, null, null) : audio;
        fbank = fbank == null ? Map.of() : Map.copyOf(fbank);
        text = text == null ? new TextSection(null, null, null, null, null, null, null) : text;
        filters = filters == null ? new Filters(null, null, null, null, null, null) : filters;
        output = output == null ? new Output(null, null, null, null) : output;
        Object fbankRate = fbank.get("sample_frequency");
        if (fbankRate instanceof Number n && n.doubleValue() != audio.sampleRate()) {
            throw new IllegalArgumentException("fbank.sample_frequency " + n + " disagrees with audio.sample_rate "
                    + audio.sampleRate() + ": audio is resampled to audio.sample_rate before the features, so"
                    + " drop fbank.sample_frequency (it follows audio.sample_rate)");
        }
        require(fbankRate == null || fbankRate instanceof Number, "fbank.sample_frequency must be a number");
    }

    /** The defaults of every section. */
    public static PrepareConfig defaults() {
        return new PrepareConfig(null, null, null, null, null, null);
    }

    /**
     * The effective config, one {@code key = value} line per setting (snake_case keys, sections flattened with
     * dots, sorted), as {@code prepare} prints it before it starts, so the user sees what filters what.
     */
    public String describe() {
        java.util.TreeMap<String, String> flat = new java.util.TreeMap<>();
        flatten("", org.omnispark.data.config.ConfigLoader.json().valueToTree(this), flat);
        StringBuilder b = new StringBuilder();
        flat.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
        return b.toString();
    }

    private static void flatten(String prefix, com.fasterxml.jackson.databind.JsonNode node, Map<String, String> out) {
        if (node.isObject() && node.size() > 0) {
            node.fields().forEachRemaining(f -> flatten(prefix + f.getKey() + ".", f.getValue(), out));
        } else {
            out.put(prefix.substring(0, prefix.length() - 1), node.isTextual() ? node.textValue() : node.toString());
        }
    }

    /** Returns a copy reading these manifests in addition to the configured ones. */
    public PrepareConfig withExtraManifests(List<String> extra) {
        List<String> all = new java.util.ArrayList<>(input.manifests());
        all.addAll(extra);
        return new PrepareConfig(new Input(all, input.manifestFormat()), audio, fbank, text, filters, output);
    }

    /** Returns a copy reading its manifests as {@code format} ({@code --manifest-format}); null keeps the config's. */
    public PrepareConfig withManifestFormat(String format) {
        return format == null ? this : new PrepareConfig(new Input(input.manifests(), format), audio, fbank, text,
                filters, output);
    }

    /**
     * @param manifests JSON-lines files, Kaldi data directories or Lhotse manifests (cuts, or a recordings +
     *     supervisions pair; plain or gzipped JSONL)
     * @param manifestFormat how to read them: auto (default: by folder, first line and name), jsonl, kaldi or lhotse
     */
    public record Input(List<String> manifests, String manifestFormat) implements Serializable {
        public Input {
            manifests = manifests == null ? List.of() : List.copyOf(manifests);
            manifestFormat = manifestFormat == null ? ManifestFormat.AUTO.configName() : manifestFormat;
            try {
                ManifestFormat.parse(manifestFormat);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("input.manifest_format: " + e.getMessage(), e);
            }
        }

        /** {@link #manifestFormat} as the enum. */
        public ManifestFormat format() {
            return ManifestFormat.parse(manifestFormat);
        }
    }

    /**
     * @param sampleRate the rate features are computed at; other rates are resampled (16000)
     * @param resampleLowpass lowpass cutoff as a fraction of the lower Nyquist (0.99)
     * @param resampleZeroCrossings windowed-sinc half width in zero crossings (6, as torchaudio; 16 is sharper and ~2x slower)
     * @param speedPerturb speed factors for extra rows, e.g. [0.9, 1.1]; the original is always kept
     * @param timeoutS the time budget of one utterance's decode, resample and features, in seconds, before the
     *     size-dependent part (10)
     * @param timeoutPerMbS seconds added to the budget per MiB of the audio file (5)
     * @param timeoutMaxS the budget's hard cap in seconds (300); a file that needs longer is a TIMEOUT reject
     * @param externalDecoder what decodes Vorbis (Ogg, WebM), for which no Java decoder is available: ffmpeg (from the
     *     PATH; it must be installed on every executor), a path to an ffmpeg binary, or none (Vorbis files become
     *     UNSUPPORTED_AUDIO rejects) (ffmpeg)
     */
    public record AudioSection(Integer sampleRate, Double resampleLowpass, Integer resampleZeroCrossings,
                               List<Double> speedPerturb, Double timeoutS, Double timeoutPerMbS,
                               Double timeoutMaxS, String externalDecoder) implements Serializable {
        public AudioSection {
            externalDecoder = externalDecoder == null ? "ffmpeg" : externalDecoder.strip();
            require(!externalDecoder.isEmpty(), "audio.external_decoder must be ffmpeg, a path to an ffmpeg binary,"
                    + " or none");
            timeoutS = timeoutS == null ? 10.0 : timeoutS;
            timeoutPerMbS = timeoutPerMbS == null ? 5.0 : timeoutPerMbS;
            timeoutMaxS = timeoutMaxS == null ? 300.0 : timeoutMaxS;
            require(timeoutS > 0 && timeoutPerMbS >= 0 && timeoutMaxS >= timeoutS,
                    "audio needs timeout_s > 0, timeout_per_mb_s >= 0 and timeout_max_s >= timeout_s");
            sampleRate = sampleRate == null ? 16000 : sampleRate;
            resampleLowpass = resampleLowpass == null ? 0.99 : resampleLowpass;
            resampleZeroCrossings = resampleZeroCrossings == null ? 6 : resampleZeroCrossings;
            speedPerturb = speedPerturb == null ? List.of() : List.copyOf(speedPerturb);
            require(sampleRate >= 4000 && sampleRate <= 192000, "audio.sample_rate must be in [4000, 192000]");
            require(resampleLowpass > 0.5 && resampleLowpass <= 1.0, "audio.resample_lowpass must be in (0.5, 1]");
            require(resampleZeroCrossings >= 2 && resampleZeroCrossings <= 64,
                    "audio.resample_zero_crossings must be in [2, 64]");
            for (double f : speedPerturb) {
                require(f >= 0.5 && f <= 2.0 && f != 1.0,
                        "audio.speed_perturb factors must be in [0.5, 2] and not 1.0 (the original is kept), got "
                                + f);
            }
        }

        /** The time budget in seconds for an audio file of {@code bytes} bytes. */
        public double timeoutFor(long bytes) {
            return Math.min(timeoutMaxS, timeoutS + timeoutPerMbS * bytes / (1024.0 * 1024.0));
        }
    }

    /**
     * @param normalizer text normalizer options (keys of {@code TextNormalizerOptions.fromMap})
     * @param tokenizer "char" or "sentencepiece"
     * @param charMinCount characters seen fewer times in the corpus become {@code <unk>} (char tokenizer)
     * @param sentencepieceModel a user's SentencePiece .model; null trains one on the corpus
     * @param sentencepieceVocabSize vocabulary size when training a SentencePiece model
     * @param sentencepieceModelType "bpe" (trained in Java) or "unigram" (needs spm_train on the driver) when training
     * @param vocabularyFrom a prepared dataset (or saved tokenizer folder) whose vocabulary to reuse instead of
     *     building one, e.g. the training set's when preparing a test set; null builds one
     */
    public record TextSection(Map<String, Object> normalizer, String tokenizer, Integer charMinCount,
                              String sentencepieceModel, Integer sentencepieceVocabSize,
                              String sentencepieceModelType, String vocabularyFrom) implements Serializable {
        public TextSection {
            normalizer = normalizer == null ? Map.of() : Map.copyOf(normalizer);
            tokenizer = tokenizer == null ? "char" : tokenizer;
            charMinCount = charMinCount == null ? 1 : charMinCount;
            sentencepieceVocabSize = sentencepieceVocabSize == null ? 256 : sentencepieceVocabSize;
            sentencepieceModelType = sentencepieceModelType == null ? "bpe" : sentencepieceModelType;
            require(tokenizer.equals("char") || tokenizer.equals("sentencepiece"),
                    "text.tokenizer must be 'char' or 'sentencepiece', got '" + tokenizer + "'");
            require(charMinCount >= 1, "text.char_min_count must be >= 1");
            require(sentencepieceVocabSize >= 8, "text.sentencepiece_vocab_size must be >= 8");
            require(sentencepieceModelType.equals("unigram") || sentencepieceModelType.equals("bpe"),
                    "text.sentencepiece_model_type must be 'unigram' or 'bpe'");
            require(sentencepieceModel == null || tokenizer.equals("sentencepiece"), "text.sentencepiece_model is"
                    + " set but text.tokenizer is '" + tokenizer + "': set text.tokenizer=sentencepiece, or drop the"
                    + " model");
            require(sentencepieceModel == null || vocabularyFrom == null, "text.sentencepiece_model and"
                    + " text.vocabulary_from both say where the vocabulary comes from: keep one");
        }
    }

    /**
     * @param minConfidence rows whose confidence is below this are rejected (rows without one pass); 0.6 by default,
     *     as in conf/data/prepare.yaml: pseudo-labels a recognizer was unsure of hurt more than they add. Set 0 to
     *     keep every label
     * @param minDurationS shortest kept duration in seconds
     * @param maxDurationS longest kept duration in seconds
     * @param minTokensPerS lowest kept token rate
     * @param maxTokensPerS highest kept token rate
     * @param maxUnknownFraction a transcript with more than this fraction of {@code <unk>} tokens is garbage
     */
    public record Filters(Double minConfidence, Double minDurationS, Double maxDurationS, Double minTokensPerS,
                          Double maxTokensPerS, Double maxUnknownFraction) implements Serializable {
        /** The built-in filters.min_confidence, the same as conf/data/prepare.yaml's. */
        public static final double DEFAULT_MIN_CONFIDENCE = 0.6;

        /** Fills defaults and validates. */
        public Filters {
            minConfidence = minConfidence == null ? DEFAULT_MIN_CONFIDENCE : minConfidence;
            minDurationS = minDurationS == null ? 0.1 : minDurationS;
            maxDurationS = maxDurationS == null ? 30.0 : maxDurationS;
            minTokensPerS = minTokensPerS == null ? 0.0 : minTokensPerS;
            maxTokensPerS = maxTokensPerS == null ? 40.0 : maxTokensPerS;
            maxUnknownFraction = maxUnknownFraction == null ? 0.2 : maxUnknownFraction;
            require(minConfidence >= 0 && minConfidence <= 1, "filters.min_confidence must be in [0, 1]");
            require(minDurationS >= 0 && maxDurationS > minDurationS,
                    "filters need 0 <= min_duration_s < max_duration_s");
            require(minTokensPerS >= 0 && maxTokensPerS > minTokensPerS,
                    "filters need 0 <= min_tokens_per_s < max_tokens_per_s");
            require(maxUnknownFraction >= 0 && maxUnknownFraction <= 1,
                    "filters.max_unknown_fraction must be in [0, 1]");
        }
    }

    /**
     * @param numShards how many shards to write at least; use at least ranks x loader workers and the number of
     *     executor cores (each shard is made by one task); fewer rows than shards gives one row per shard
     * @param compression Parquet codec: zstd, snappy, gzip or none
     * @param rowGroupMb Parquet row-group size in MiB (smaller groups: finer-grained streaming)
     * @param maxShardHours the most audio planned into one shard: a larger corpus gets more shards than numShards
     *     (each shard is one task, and the unit a crashed run resumes by) (5.0)
     */
    public record Output(Integer numShards, String compression, Integer rowGroupMb, Double maxShardHours)
            implements Serializable {
        public Output {
            numShards = numShards == null ? 8 : numShards;
            maxShardHours = maxShardHours == null ? 5.0 : maxShardHours;
            require(maxShardHours > 0, "output.max_shard_hours must be > 0");
            compression = compression == null ? "zstd" : compression;
            rowGroupMb = rowGroupMb == null ? 32 : rowGroupMb;
            require(numShards >= 1, "output.num_shards must be >= 1");
            require(List.of("zstd", "snappy", "gzip", "none").contains(compression),
                    "output.compression must be one of zstd, snappy, gzip, none");
            require(rowGroupMb >= 1 && rowGroupMb <= 1024, "output.row_group_mb must be in [1, 1024]");
        }
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
