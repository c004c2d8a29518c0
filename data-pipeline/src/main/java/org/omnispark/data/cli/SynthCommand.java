package org.omnispark.data.cli;

import java.nio.file.Path;
import org.omnispark.cli.OmniSparkCommand;
import org.omnispark.data.synth.CorpusSummary;
import org.omnispark.data.synth.CorpusSynthesizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code omnispark synth}: a real speech corpus from espeak-ng, with pseudo-labels to filter. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Make a speech corpus with espeak-ng: many voices, rates and pitches, sentences from a "
                + "built-in grammar.",
            "Writes DIR/audio/*, DIR/manifest.jsonl (pseudo-labels with confidences) and DIR/truth.jsonl "
                + "(the spoken text and any damage applied).",
            "Needs espeak-ng and sox: apt-get install espeak-ng sox"})
public final class SynthCommand implements OmniSparkCommand {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "corpus folder to write")
    Path out;

    @Option(names = "--utterances", required = true, paramLabel = "N", description = "number of utterances")
    int utterances;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--split", defaultValue = "train", paramLabel = "SPLIT",
            description = "train or heldout: heldout uses sentences and voices never used in train (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--corrupt-labels", defaultValue = "0.05", paramLabel = "F",
            description = "fraction of pseudo-labels altered and given low confidence (default: ${DEFAULT-VALUE})")
    double corruptLabels;

    @Option(names = "--damaged-audio", defaultValue = "0.0", paramLabel = "F",
            description = "fraction of rows with damaged or missing audio (default: ${DEFAULT-VALUE})")
    double damagedAudio;

    @Option(names = "--noise", defaultValue = "0.0", paramLabel = "F",
            description = "fraction of rows with added noise at 10..30 dB SNR (default: ${DEFAULT-VALUE})")
    double noise;

    @Option(names = "--format-mix", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "write some rows at 8/22.05/44.1/48 kHz, stereo, 24-bit, float and FLAC (default: ${DEFAULT-VALUE})")
    boolean formatMix;

    @Option(names = "--threads", paramLabel = "N", description = "espeak-ng processes at once (default: cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        CorpusSynthesizer.Builder b = CorpusSynthesizer.builder().setOutputDir(out).setUtterances(utterances)
                .optSeed(seed).optSplit(split).optCorruptLabelFraction(corruptLabels)
                .optDamagedAudioFraction(damagedAudio).optNoiseFraction(noise).optFormatMix(formatMix);
        if (threads != null) {
            b.optThreads(threads);
        }
        CorpusSummary s = b.build().synthesize();
        System.out.printf("wrote %d utterances (%.1f min of audio) to %s%n", s.rows(), s.totalAudioSeconds() / 60,
                s.manifest());
        System.out.printf("  damaged audio %d, corrupted labels %d, noisy %d%n", s.damagedRows(),
                s.corruptedLabels(), s.noisyRows());
        return 0;
    }
}
