package org.omnispark.data.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.omnispark.data.RejectReason;
import org.omnispark.data.audio.Audio;
import org.omnispark.data.audio.AudioDecoder;
import org.omnispark.data.audio.AudioFormatException;
import org.omnispark.data.audio.Resampler;
import org.omnispark.data.features.Fbank;
import org.omnispark.data.features.FbankOptions;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.text.TextNormalizer;
import org.omnispark.data.text.Tokenizer;

/**
 * Turns one manifest entry into output rows: the utterance (plus its speed-perturbed copies) or one reject.
 * The checks run cheapest first: confidence, text, audio (read, decode, segment), duration, token rate, features.
 * Not thread-safe: make one per Spark partition ({@link #forPartition}).
 */
public final class UtteranceProcessor {

    /** How often an audio file is read before an I/O error fails the task. */
    static final int READ_ATTEMPTS = 3;
    /** The lowest sample rate accepted, in Hz. */
    public static final int MIN_SAMPLE_RATE = 1000;
    /** The highest sample rate accepted, in Hz. */
    public static final int MAX_SAMPLE_RATE = 384_000;
    /** The serializable recipe shipped to executors. */
    public record Recipe(PrepareConfig config, FbankOptions fbankOptions, TextNormalizer normalizer,
                         Tokenizer tokenizer, HadoopConf hadoopConf) implements Serializable {
    }

    private final Recipe recipe;
    private final PrepareConfig.Filters filters;
    private final Fbank fbank;
    private final int targetRate;
    private final Map<Integer, Resampler> resamplers = new HashMap<>();

    private UtteranceProcessor(Recipe recipe) {
        this.recipe = recipe;
        this.filters = recipe.config().filters();
        this.fbank = new Fbank(recipe.fbankOptions());
        this.targetRate = recipe.config().audio().sampleRate();
    }

    /** A processor for one partition (it owns scratch buffers of the fbank computation). */
    public static UtteranceProcessor forPartition(Recipe recipe) {
        return new UtteranceProcessor(recipe);
    }

    /** Rows for one entry: accepted rows (the original first), or exactly one reject row. */
    public List<Row> process(ManifestEntry e) {
        if (e.confidence() != null && e.confidence() < filters.minConfidence()) {
            return reject(e, RejectReason.LOW_CONFIDENCE, "confidence " + e.confidence()
                    + " < filters.min_confidence " + filters.minConfidence());
        }
        String text = recipe.normalizer().normalize(e.text());
        if (text.isBlank()) {
            return reject(e, RejectReason.EMPTY_TRANSCRIPT, "transcript is empty after normalization");
        }
        int[] tokens = recipe.tokenizer().encode(text);
        int unknown = 0;
        for (int t : tokens) {
            if (t == recipe.tokenizer().unkId()) {
                unknown++;
            }
        }
        if (tokens.length == 0 || unknown > filters.maxUnknownFraction() * tokens.length) {
            return reject(e, RejectReason.GARBAGE_TRANSCRIPT, unknown + " of " + tokens.length
                    + " tokens are <unk> (filters.max_unknown_fraction=" + filters.maxUnknownFraction() + ")");
        }
        byte[] bytes;
        try {
            bytes = readBytes(e);
        } catch (FileNotFoundException ex) {
            return reject(e, RejectReason.MISSING_AUDIO, "no such file: " + e.audioPath());
        }
        Audio audio;
        try {
            audio = resample(decode(e, bytes), e.audioPath());
        } catch (AudioFormatException ex) {
            return reject(e, ex.reason(), ex.getMessage());
        } catch (RuntimeException ex) { // whatever a file contains, it must not fail the job
            return reject(e, RejectReason.CORRUPT_AUDIO, "decoding or resampling " + e.audioPath() + " failed: "
                    + ex);
        }
        double duration = audio.durationSeconds();
        if (duration < filters.minDurationS()) {
            return reject(e, RejectReason.TOO_SHORT, String.format("%.3f s < filters.min_duration_s %.3f",
                    duration, filters.minDurationS()));
        }
        if (duration > filters.maxDurationS()) {
            return reject(e, RejectReason.TOO_LONG, String.format("%.3f s > filters.max_duration_s %.3f",
                    duration, filters.maxDurationS()));
        }
        double rate = tokens.length / duration;
        if (rate < filters.minTokensPerS() || rate > filters.maxTokensPerS()) {
            return reject(e, RejectReason.TOKEN_RATE_OUT_OF_RANGE, String.format(
                    "%.2f tokens/s outside [%.2f, %.2f] (filters.min_tokens_per_s, filters.max_tokens_per_s)",
                    rate, filters.minTokensPerS(), filters.maxTokensPerS()));
        }
        if (!fbank.hasFrames(audio.samples().length)) {
            return reject(e, RejectReason.TOO_SHORT, audio.samples().length + " samples give no feature frame");
        }
        List<Row> rows = new ArrayList<>(1 + recipe.config().audio().speedPerturb().size());
        rows.add(featureRow(e, e.key(), audio.samples(), tokens, text, 1.0f));
        for (double factor : recipe.config().audio().speedPerturb()) {
            float[] perturbed = Resampler.speedPerturb(audio.samples(), targetRate, factor);
            if (fbank.hasFrames(perturbed.length)) {
                rows.add(featureRow(e, speedKey(e.key(), factor), perturbed, tokens, text, (float) factor));
            }
        }
        return rows;
    }

    /** Kaldi's naming of speed-perturbed copies: {@code sp0.9-KEY}. */
    public static String speedKey(String key, double factor) {
        return "sp" + factor + "-" + key;
    }

    private Row featureRow(ManifestEntry e, String key, float[] samples, int[] tokens, String text, float speed) {
        float[] feats = fbank.compute(samples, ditherSeed(key));
        int dim = fbank.dim();
        int frames = feats.length / dim;
        double[] sum = new double[dim];
        double[] sumsq = new double[dim];
        for (int f = 0; f < frames; f++) {
            int base = f * dim;
            for (int d = 0; d < dim; d++) {
                double v = feats[base + d];
                sum[d] += v;
                sumsq[d] += v * v;
            }
        }
        double duration = samples.length / (double) targetRate;
        return ProcessedRows.accepted(e, key, feats, frames, dim, tokens, text, duration, speed, sum, sumsq);
    }

    /** A stable per-utterance seed, so dithered features do not depend on partitioning. */
    static long ditherSeed(String key) {
        long h = 1125899906842597L;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        return h;
    }

    /**
     * Reads a file's bytes. A missing file is the caller's reject; any other I/O error (a throttled object store, a
     * flaky datanode, a permission error) is retried {@value #READ_ATTEMPTS} times with backoff and then fails the
     * task, naming the key and the path, so Spark retries it and no row is silently lost.
     */
    private byte[] readBytes(ManifestEntry e) throws FileNotFoundException {
        Path path = new Path(e.audioPath());
        long backoffMillis = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                FileSystem fs = path.getFileSystem(recipe.hadoopConf().get());
                try (InputStream in = fs.open(path)) {
                    return in.readAllBytes();
                }
            } catch (FileNotFoundException ex) {
                throw ex;
            } catch (IOException ex) {
                if (attempt >= READ_ATTEMPTS) {
                    throw new java.io.UncheckedIOException("cannot read the audio of '" + e.key() + "' at "
                            + e.audioPath() + " after " + attempt + " attempts: " + ex + "; the task fails so that "
                            + "Spark retries it (check permissions and the file system's health)", ex);
                }
                sleep(backoffMillis);
                backoffMillis *= 2;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to re-read an audio file", ie);
        }
    }

    private static Audio decode(ManifestEntry e, byte[] bytes) throws AudioFormatException {
        if (e.isSegment()) {
            return AudioDecoder.decode(bytes, e.audioPath(), e.offset(), e.length());
        }
        return AudioDecoder.decode(bytes, e.audioPath());
    }

    private Audio resample(Audio audio, String path) throws AudioFormatException {
        if (audio.sampleRate() == targetRate) {
            return audio;
        }
        if (audio.sampleRate() < MIN_SAMPLE_RATE || audio.sampleRate() > MAX_SAMPLE_RATE) {
            throw new AudioFormatException(RejectReason.UNSUPPORTED_AUDIO, path + " says its sample rate is "
                    + audio.sampleRate() + " Hz, outside the supported " + MIN_SAMPLE_RATE + "-" + MAX_SAMPLE_RATE
                    + " Hz");
        }
        Resampler r = resamplers.computeIfAbsent(audio.sampleRate(), from -> Resampler.of(from, targetRate)
                .optLowpassRatio(recipe.config().audio().resampleLowpass())
                .optZeroCrossings(recipe.config().audio().resampleZeroCrossings()));
        return new Audio(r.resample(audio.samples()), targetRate);
    }

    private static List<Row> reject(ManifestEntry e, RejectReason reason, String detail) {
        return List.of(ProcessedRows.rejected(e, reason, detail));
    }
}
