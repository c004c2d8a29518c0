package org.omnispark.data.synth;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes a real speech corpus with espeak-ng: sentences from {@link SentenceGrammar}, voices from
 * {@link VoiceCatalog}, audio under {@code DIR/audio/}, and {@code DIR/manifest.jsonl} plus {@code DIR/truth.jsonl}
 * (see the package documentation). Output is a pure function of the options: the same seed gives the same bytes.
 *
 * <pre>{@code
 * CorpusSummary s = CorpusSynthesizer.builder()
 *     .setOutputDir(Path.of("/data/synth"))
 *     .setUtterances(1000)
 *     .optSeed(7)
 *     .optDamagedAudioFraction(0.02)
 *     .build()
 *     .synthesize();
 * }</pre>
 */
public final class CorpusSynthesizer {
    /** Audio folder name inside the corpus folder. */
    public static final String AUDIO_DIR = "audio";
    /** Manifest file name inside the corpus folder. */
    public static final String MANIFEST = "manifest.jsonl";
    /** Ground-truth file name inside the corpus folder. */
    public static final String TRUTH = "truth.jsonl";

    private final CorpusOptions options;
    private final SentenceGrammar grammar;
    private final VoiceCatalog voices;

    private CorpusSynthesizer(CorpusOptions options, SentenceGrammar grammar, VoiceCatalog voices) {
        this.options = options;
        this.grammar = grammar;
        this.voices = voices;
    }

    /** A builder; {@link Builder#setOutputDir} and {@link Builder#setUtterances} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The options this synthesizer runs with. */
    public CorpusOptions options() {
        return options;
    }

    /** The rows this synthesizer will make, without making any audio (durations are NaN). */
    public List<CorpusRow> plan() {
        return new CorpusPlanner(grammar, voices).plan(options);
    }

    /**
     * Makes the corpus: checks espeak-ng (and sox when a row needs conversion), renders every row on
     * {@code threads} threads, then writes manifest.jsonl and truth.jsonl. Earlier {@code synth-*} files in the
     * audio folder are removed first, so a missing-file row really has no file.
     *
     * @throws SynthToolMissingException if espeak-ng, sox or a voice is missing
     * @throws IOException if a file cannot be written or a tool fails on a row
     */
    public CorpusSummary synthesize() throws IOException {
        List<CorpusRow> planned = plan();
        EspeakNg espeak = EspeakNg.locate(options.espeakCommand());
        voices.checkInstalled(espeak);
        boolean needSox = planned.stream().anyMatch(r -> !r.format().equals(AudioFileFormat.NATIVE));
        Sox sox = needSox ? Sox.locate(options.soxCommand()) : null;

        Path audioDir = options.outputDir().resolve(AUDIO_DIR);
        Path tmpDir = options.outputDir().resolve(".synth-tmp");
        Files.createDirectories(audioDir);
        Files.createDirectories(tmpDir);
        removeOldRows(audioDir);
        RowRenderer renderer = new RowRenderer(espeak, sox, audioDir, tmpDir);

        List<CorpusRow> rows;
        try {
            rows = ParallelRows.map(planned, options.threads(), "corpus-synth", "the corpus", renderer::render);
        } finally {
            removeTemporaries(tmpDir);
        }

        Path manifest = options.outputDir().resolve(MANIFEST);
        Path truth = options.outputDir().resolve(TRUTH);
        CorpusFiles.writeManifest(rows, manifest);
        CorpusFiles.writeTruth(rows, truth);
        return summarize(rows, manifest, truth);
    }

    private static void removeTemporaries(Path tmpDir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmpDir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(tmpDir);
    }

    private static void removeOldRows(Path audioDir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(audioDir, "synth-*")) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static CorpusSummary summarize(List<CorpusRow> rows, Path manifest, Path truth) {
        Map<AudioDamage, Integer> damage = new EnumMap<>(AudioDamage.class);
        Map<LabelCorruption, Integer> labels = new EnumMap<>(LabelCorruption.class);
        for (AudioDamage d : AudioDamage.values()) {
            damage.put(d, 0);
        }
        for (LabelCorruption c : LabelCorruption.values()) {
            labels.put(c, 0);
        }
        Map<String, Integer> formats = new TreeMap<>();
        double total = 0;
        double intact = 0;
        int noisy = 0;
        for (CorpusRow r : rows) {
            damage.merge(r.damage(), 1, Integer::sum);
            labels.merge(r.labelCorruption(), 1, Integer::sum);
            formats.merge(r.format().id(), 1, Integer::sum);
            total += r.durationSeconds();
            if (r.damage() == AudioDamage.NONE) {
                intact += r.durationSeconds();
            }
            noisy += r.noisy() ? 1 : 0;
        }
        return new CorpusSummary(manifest, truth, rows.size(), total, intact, damage, labels, noisy, formats);
    }

    /** Builds a {@link CorpusSynthesizer}: setX for required values, optX for optional ones. */
    public static final class Builder {
        private Path outputDir;
        private int utterances;
        private long seed;
        private Split split = Split.TRAIN;
        private double corruptLabelFraction = 0.05;
        private double damagedAudioFraction;
        private double noiseFraction;
        private boolean formatMix;
        private int threads = Runtime.getRuntime().availableProcessors();
        private boolean absolutePaths;
        private String espeakCommand = "espeak-ng";
        private String soxCommand = "sox";
        private SentenceGrammar grammar = SentenceGrammar.english();
        private VoiceCatalog voices = VoiceCatalog.builtIn();

        private Builder() {
        }

        /** The corpus folder (required); created if it does not exist. */
        public Builder setOutputDir(Path outputDir) {
            this.outputDir = outputDir;
            return this;
        }

        /** The number of rows (required, at least 1). About 1000 rows make an hour of speech. */
        public Builder setUtterances(int utterances) {
            this.utterances = utterances;
            return this;
        }

        /** The master seed (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The sentence and voice pool (default train). */
        public Builder optSplit(Split split) {
            this.split = split;
            return this;
        }

        /** The sentence and voice pool by name: {@code train} or {@code heldout}. */
        public Builder optSplit(String split) {
            this.split = Split.parse(split);
            return this;
        }

        /** Fraction of rows with a corrupted label and confidence 0.1..0.5 (default 0.05). */
        public Builder optCorruptLabelFraction(double fraction) {
            this.corruptLabelFraction = fraction;
            return this;
        }

        /** Fraction of rows with damaged audio, cycling through {@link AudioDamage#KINDS} (default 0). */
        public Builder optDamagedAudioFraction(double fraction) {
            this.damagedAudioFraction = fraction;
            return this;
        }

        /** Fraction of rows with white noise at a random SNR of 10..30 dB (default 0). */
        public Builder optNoiseFraction(double fraction) {
            this.noiseFraction = fraction;
            return this;
        }

        /** True: mix rates, channels, encodings and FLAC; false (default): all 16 kHz 16-bit mono WAV. */
        public Builder optFormatMix(boolean formatMix) {
            this.formatMix = formatMix;
            return this;
        }

        /** Rows rendered at once (default: the number of processors). */
        public Builder optThreads(int threads) {
            this.threads = threads;
            return this;
        }

        /** True: absolute audio paths in the manifest; false (default): relative to the corpus folder. */
        public Builder optAbsolutePaths(boolean absolutePaths) {
            this.absolutePaths = absolutePaths;
            return this;
        }

        /** The espeak-ng program (default {@code espeak-ng} on the PATH). */
        public Builder optEspeakCommand(String command) {
            this.espeakCommand = command;
            return this;
        }

        /** The sox program (default {@code sox} on the PATH). */
        public Builder optSoxCommand(String command) {
            this.soxCommand = command;
            return this;
        }

        /** The sentence grammar (default {@link SentenceGrammar#english()}). */
        public Builder optGrammar(SentenceGrammar grammar) {
            this.grammar = grammar;
            return this;
        }

        /** The voice catalog (default {@link VoiceCatalog#builtIn()}). */
        public Builder optVoices(VoiceCatalog voices) {
            this.voices = voices;
            return this;
        }

        /** Validates the options; does not touch the disk or run any tool. */
        public CorpusSynthesizer build() {
            if (grammar == null || voices == null) {
                throw new IllegalArgumentException("grammar and voices must not be null");
            }
            CorpusOptions options = new CorpusOptions(outputDir, utterances, seed, split, corruptLabelFraction,
                damagedAudioFraction, noiseFraction, formatMix, threads, absolutePaths, espeakCommand, soxCommand);
            CorpusSynthesizer s = new CorpusSynthesizer(options, grammar, voices);
            s.plan(); // fail fast on fractions that do not fit
            return s;
        }
    }
}
