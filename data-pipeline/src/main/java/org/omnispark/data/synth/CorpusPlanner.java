package org.omnispark.data.synth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decides every row of a corpus before any audio is made: a pure function of the seed and options, so rendering
 * can run in any order on any number of threads.
 *
 * <p>Exact counts: round(fraction * rows) rows get damaged audio, chosen by a seeded shuffle, cycling through
 * {@link AudioDamage#KINDS}; corrupted labels and noise go to rows with intact audio only (so each row has at most
 * one reason to be rejected for its audio), corrupted labels cycling through {@link LabelCorruption#KINDS}.
 */
final class CorpusPlanner {
    private static final long STREAM_ROWS = 1;
    private static final long STREAM_DAMAGE = 2;
    private static final long STREAM_CORRUPT = 3;
    private static final long STREAM_NOISE = 4;
    private static final double MIN_SNR_DB = 10.0;
    private static final double MAX_SNR_DB = 30.0;

    private final SentenceGrammar grammar;
    private final VoiceCatalog voices;
    private final List<String> vocabulary;

    CorpusPlanner(SentenceGrammar grammar, VoiceCatalog voices) {
        this.grammar = grammar;
        this.voices = voices;
        this.vocabulary = grammar.vocabulary();
    }

    /** Rounded row count for a fraction, e.g. 0.05 of 30 rows -> 2 (1.5 rounds half up). */
    static int count(double fraction, int rows) {
        return (int) Math.round(fraction * rows);
    }

    List<CorpusRow> plan(CorpusOptions o) {
        int n = o.utterances();
        long splitSalt = 1000L * (o.split().ordinal() + 1);
        int numDamaged = count(o.damagedAudioFraction(), n);
        int numCorrupt = count(o.corruptLabelFraction(), n);
        int numNoisy = count(o.noiseFraction(), n);
        if (numDamaged + numCorrupt > n || numDamaged + numNoisy > n) {
            throw new IllegalArgumentException("fractions too large: " + numDamaged + " damaged + " + numCorrupt
                + " corrupted labels (or " + numNoisy + " noisy) rows exceed " + n + " rows; damaged rows get no "
                + "label corruption or noise, so lower the fractions");
        }
        AudioDamage[] damage = new AudioDamage[n];
        Arrays.fill(damage, AudioDamage.NONE);
        int[] order = shuffled(n, StableHash.derive(o.seed(), splitSalt + STREAM_DAMAGE, 0));
        List<Integer> intact = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (j < numDamaged) {
                damage[order[j]] = AudioDamage.KINDS.get(j % AudioDamage.KINDS.size());
            } else {
                intact.add(order[j]);
            }
        }
        intact.sort(null);
        LabelCorruption[] corruption = new LabelCorruption[n];
        Arrays.fill(corruption, LabelCorruption.NONE);
        int[] pick = shuffled(intact.size(), StableHash.derive(o.seed(), splitSalt + STREAM_CORRUPT, 0));
        for (int j = 0; j < numCorrupt; j++) {
            corruption[intact.get(pick[j])] = LabelCorruption.KINDS.get(j % LabelCorruption.KINDS.size());
        }
        boolean[] noisy = new boolean[n];
        pick = shuffled(intact.size(), StableHash.derive(o.seed(), splitSalt + STREAM_NOISE, 0));
        for (int j = 0; j < numNoisy; j++) {
            noisy[intact.get(pick[j])] = true;
        }
        int width = Math.max(6, Integer.toString(n - 1).length());
        List<CorpusRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String key = "synth-" + o.split().id() + "-" + String.format("%0" + width + "d", i);
            long seed = StableHash.derive(o.seed(), splitSalt + STREAM_ROWS, i);
            rows.add(row(o, key, seed, damage[i], corruption[i], noisy[i]));
        }
        return rows;
    }

    private CorpusRow row(CorpusOptions o, String key, long seed, AudioDamage damage, LabelCorruption corruption,
                          boolean noisy) {
        // Fixed draw order, whatever the row's damage or corruption, so options do not shift other draws.
        SplittableRandom rng = new SplittableRandom(seed);
        Sentence sentence = grammar.generate(rng, o.split());
        VoiceSettings voice = voices.sample(rng, o.split());
        AudioFileFormat mixed = AudioFileFormat.MIX.get(rng.nextInt(AudioFileFormat.MIX.size()));
        double u = rng.nextDouble();
        double snr = MIN_SNR_DB + (MAX_SNR_DB - MIN_SNR_DB) * rng.nextDouble();
        String label = corruption.apply(sentence, vocabulary, rng);
        double confidence = corruption == LabelCorruption.NONE ? 0.8 + 0.2 * u : 0.1 + 0.4 * u;
        AudioFileFormat format = o.formatMix() && damage == AudioDamage.NONE ? mixed : AudioFileFormat.STANDARD;
        String file = key + "." + damage.extension(format.extension());
        Path audio = o.outputDir().resolve(CorpusSynthesizer.AUDIO_DIR).resolve(file);
        String audioPath = o.absolutePaths() ? audio.toAbsolutePath().normalize().toString()
            : CorpusSynthesizer.AUDIO_DIR + "/" + file;
        return new CorpusRow(key, o.split(), sentence, label, corruption, round(confidence, 1000), voice, format,
            noisy ? round(snr, 100) : Double.NaN, damage, audioPath, Double.NaN, seed);
    }

    static double round(double x, double scale) {
        return Math.round(x * scale) / scale;
    }

    /** A seeded Fisher-Yates permutation of 0..n-1. */
    private static int[] shuffled(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
