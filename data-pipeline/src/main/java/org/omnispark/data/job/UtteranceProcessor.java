package org.omnispark.data.job;

import org.omnispark.io.HadoopConf;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.omnispark.data.Deadline;
import org.omnispark.data.RejectReason;
import org.omnispark.data.audio.Audio;
import org.omnispark.data.audio.AudioDecoder;
import org.omnispark.data.audio.AudioFormatException;
import org.omnispark.data.audio.DecodeLimits;
import org.omnispark.data.audio.DurationProbe;
import org.omnispark.data.audio.ExternalDecoder;
import org.omnispark.data.audio.Resampler;
import org.omnispark.data.features.Fbank;
import org.omnispark.data.features.FbankOptions;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.ingest.TarMember;
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
    /** The largest audio file read (one array); longer recordings are cut into files or listed as segments. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;
    /** Bytes read first of a segment's file, to find the segment's frames in a WAV header. */
    private static final int HEAD_BYTES = 64 << 10;
    /** Resamplers (one filter each) kept per partition. */
    private static final int MAX_CACHED_RESAMPLERS = 8;
    /** The serializable recipe shipped to executors. */
    public record Recipe(PrepareConfig config, FbankOptions fbankOptions, TextNormalizer normalizer,
                         Tokenizer tokenizer, HadoopConf hadoopConf) implements Serializable {
    }

    private final Recipe recipe;
    private final PrepareConfig.Filters filters;
    private final Fbank fbank;
    private final int targetRate;
    private final Map<Integer, Resampler> resamplers = new HashMap<>();
    private final Resampler resamplerOptions;
    private final ExternalDecoder externalDecoder;

    private UtteranceProcessor(Recipe recipe) {
        this.recipe = recipe;
        this.externalDecoder = new ExternalDecoder(recipe.config().audio().externalDecoder());
        this.filters = recipe.config().filters();
        this.fbank = new Fbank(recipe.fbankOptions());
        this.targetRate = recipe.config().audio().sampleRate();
        this.resamplerOptions = Resampler.of(1, 1).optLowpassRatio(recipe.config().audio().resampleLowpass())
                .optZeroCrossings(recipe.config().audio().resampleZeroCrossings());
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
        AudioBytes bytes;
        try {
            bytes = read(e);
        } catch (FileNotFoundException ex) {
            return reject(e, RejectReason.MISSING_AUDIO, "no such file: " + e.audioPath());
        } catch (FileTooLarge ex) {
            return reject(e, RejectReason.TOO_LONG, ex.getMessage());
        } catch (AudioFormatException ex) {
            return reject(e, ex.reason(), ex.getMessage());
        }
        // Everything that depends on the file's contents is isolated: a reject, never a failed task.
        Deadline deadline = Deadline.afterSeconds(recipe.config().audio().timeoutFor(bytes.size()),
                "decoding, resampling and featurizing '" + e.key() + "' (" + e.audioPath() + ", " + bytes.size()
                        + " bytes)");
        try {
            return fromAudio(e, bytes, tokens, text, deadline);
        } catch (AudioFormatException ex) {
            return reject(e, ex.reason(), ex.getMessage());
        } catch (Deadline.Exceeded ex) {
            return reject(e, RejectReason.TIMEOUT, ex.getMessage() + " (audio.timeout_s, audio.timeout_per_mb_s,"
                    + " audio.timeout_max_s set the budget)");
        } catch (RuntimeException ex) {
            return reject(e, RejectReason.CORRUPT_AUDIO, "decoding, resampling or featurizing '" + e.key() + "' ("
                    + e.audioPath() + ") failed: " + ex);
        }
    }

    private List<Row> fromAudio(ManifestEntry e, AudioBytes bytes, int[] tokens, String text, Deadline deadline)
            throws AudioFormatException {
        Audio audio = resample(bytes.segment() != null ? bytes.segment().decode(bytes.bytes(), e.audioPath())
                : decode(e, bytes.bytes(), deadline), e.audioPath());
        deadline.check();
        Failed failed = filterAudio(audio.samples().length, tokens.length);
        if (failed != null) {
            return reject(e, failed.reason(), failed.detail());
        }
        List<Row> rows = new ArrayList<>(1 + recipe.config().audio().speedPerturb().size());
        rows.add(featureRow(e, e.key(), audio.samples(), tokens, text, 1.0f));
        for (double factor : recipe.config().audio().speedPerturb()) {
            deadline.check();
            float[] perturbed = Resampler.speedPerturb(audio.samples(), targetRate, factor, resamplerOptions);
            // A copy passes the same filters as an original; one that fails is left out (counted in the report).
            if (filterAudio(perturbed.length, tokens.length) == null) {
                rows.add(featureRow(e, speedKey(e.key(), factor), perturbed, tokens, text, (float) factor));
            }
        }
        return rows;
    }

    /** A failed filter. */
    private record Failed(RejectReason reason, String detail) {
    }

    /** Null when audio of this many samples (at the target rate) with this many tokens passes the filters. */
    private Failed filterAudio(int samples, int numTokens) {
        double duration = samples / (double) targetRate;
        if (duration < filters.minDurationS()) {
            return new Failed(RejectReason.TOO_SHORT, String.format("%.3f s < filters.min_duration_s %.3f",
                    duration, filters.minDurationS()));
        }
        if (duration > filters.maxDurationS()) {
            return new Failed(RejectReason.TOO_LONG, String.format("%.3f s > filters.max_duration_s %.3f",
                    duration, filters.maxDurationS()));
        }
        double rate = numTokens / duration;
        if (rate < filters.minTokensPerS() || rate > filters.maxTokensPerS()) {
            return new Failed(RejectReason.TOKEN_RATE_OUT_OF_RANGE, String.format("%.2f tokens/s outside [%.2f,"
                    + " %.2f] (filters.min_tokens_per_s, filters.max_tokens_per_s)", rate, filters.minTokensPerS(),
                    filters.maxTokensPerS()));
        }
        if (!fbank.hasFrames(samples)) {
            return new Failed(RejectReason.TOO_SHORT, samples + " samples give no feature frame");
        }
        return null;
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
     * What was read of an entry's file: the whole file, or, for a segment of a WAV file, only the segment's frames.
     *
     * @param bytes the file, or the segment's frames
     * @param segment where the frames came from (null: {@code bytes} is the whole file)
     */
    private record AudioBytes(byte[] bytes, AudioDecoder.WavSegment segment) {
        int size() {
            return bytes.length;
        }
    }

    /**
     * Reads an entry's audio: a segment of a WAV file by its byte range (a Kaldi segment of an hour-long recording
     * reads seconds, not the hour), anything else whole. A missing file is the caller's reject; any other I/O error
     * (a throttled object store, a flaky datanode, a permission error) is retried {@value #READ_ATTEMPTS} times with
     * backoff and then fails the task, naming the key and the path, so Spark retries it and no row is silently lost.
     */
    private AudioBytes read(ManifestEntry e) throws FileNotFoundException, FileTooLarge, AudioFormatException {
        if (e.hasEmbeddedAudio()) { // a Hugging Face Parquet row: the file came with the row
            byte[] whole = e.audioBytes();
            double declared = declaredSeconds(java.util.Arrays.copyOf(whole, Math.min(whole.length,
                    DurationProbe.HEAD_BYTES)), whole.length);
            if (!e.isSegment() && declared > filters.maxDurationS() + 1.0) {
                throw new FileTooLarge(String.format(java.util.Locale.ROOT, "%s declares %.1f s, over "
                        + "filters.max_duration_s %.1f; cut it into segments", e.audioPath(), declared,
                        filters.maxDurationS()));
            }
            return new AudioBytes(whole, null);
        }
        TarMember member = tarMember(e);
        Path path = new Path(member == null ? e.audioPath() : member.tar());
        long base = member == null ? 0 : member.offset(); // a tar member's bytes start there
        long backoffMillis = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                FileSystem fs = path.getFileSystem(recipe.hadoopConf().get());
                long length = member == null ? fs.getFileStatus(path).getLen() : member.length();
                try (FSDataInputStream in = fs.open(path)) {
                    if (e.isSegment()) {
                        byte[] head = new byte[(int) Math.min(length, HEAD_BYTES)];
                        in.readFully(base, head);
                        AudioDecoder.WavSegment segment = AudioDecoder.wavSegment(head, length, e.audioPath(),
                                e.offset(), e.length(), new DecodeLimits(filters.maxDurationS() + 1.0, Deadline.NONE));
                        if (segment != null) {
                            byte[] frames = new byte[segment.byteCount()];
                            in.readFully(base + segment.byteOffset(), frames);
                            return new AudioBytes(frames, segment);
                        }
                    }
                    // What the header declares decides before the whole file is read (a 2 GiB file is not read
                    // to learn that it is over filters.max_duration_s; the decoder would reject it on the same count).
                    byte[] head = new byte[(int) Math.min(length, DurationProbe.HEAD_BYTES)];
                    in.readFully(base, head);
                    double declared = declaredSeconds(head, length);
                    if (!e.isSegment() && declared > filters.maxDurationS() + 1.0) {
                        throw new FileTooLarge(String.format(java.util.Locale.ROOT, "%s declares %.1f s, over "
                                + "filters.max_duration_s %.1f (not read further); cut it into segments",
                                e.audioPath(), declared, filters.maxDurationS()));
                    }
                    if (length > MAX_FILE_BYTES) {
                        throw new FileTooLarge(e.audioPath() + " is " + length + " bytes, over the " + MAX_FILE_BYTES
                                + " a file may have; cut it into files (or list segments of it in a Kaldi data dir)");
                    }
                    byte[] whole = new byte[(int) length];
                    in.readFully(base, whole);
                    return new AudioBytes(whole, null);
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

    /** The tar member an entry's audio path names, or null for an ordinary file; a malformed reference is corrupt. */
    static TarMember tarMember(ManifestEntry e) throws AudioFormatException {
        try {
            return TarMember.parse(e.audioPath());
        } catch (IllegalArgumentException bad) {
            throw new AudioFormatException(RejectReason.MISSING_AUDIO, bad.getMessage());
        }
    }

    /** The header's duration, or NaN when it says nothing usable (a damaged header: the decoder says why). */
    private static double declaredSeconds(byte[] head, long length) {
        try {
            return DurationProbe.seconds(head, length);
        } catch (RuntimeException damaged) {
            return Double.NaN;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to re-read an audio file", ie);
        }
    }

    private Audio decode(ManifestEntry e, byte[] bytes, Deadline deadline) throws AudioFormatException {
        // A little more than the longest kept duration, so that the duration filter (after resampling) decides.
        DecodeLimits limits = new DecodeLimits(filters.maxDurationS() + 1.0, deadline);
        if (e.isSegment()) {
            return AudioDecoder.decode(bytes, e.audioPath(), e.offset(), e.length(), limits, externalDecoder);
        }
        return AudioDecoder.decode(bytes, e.audioPath(), 0, -1, limits, externalDecoder);
    }

    /** The file is larger than one utterance can be. */
    private static final class FileTooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        FileTooLarge(String message) {
            super(message);
        }
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
        if (resamplers.size() >= MAX_CACHED_RESAMPLERS && !resamplers.containsKey(audio.sampleRate())) {
            resamplers.clear(); // a corpus of many odd rates must not hold a filter per rate
        }
        Resampler r = resamplers.computeIfAbsent(audio.sampleRate(), from -> Resampler.of(from, targetRate)
                .optLowpassRatio(resamplerOptions.lowpassRatio()).optZeroCrossings(resamplerOptions.zeroCrossings()));
        return new Audio(r.resample(audio.samples()), targetRate);
    }

    private static List<Row> reject(ManifestEntry e, RejectReason reason, String detail) {
        return List.of(ProcessedRows.rejected(e, reason, detail));
    }
}
