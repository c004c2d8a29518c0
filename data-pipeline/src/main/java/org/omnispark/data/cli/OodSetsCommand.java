package org.omnispark.data.cli;

import java.nio.file.Path;
import org.omnispark.cli.OmniSparkCommand;
import org.omnispark.data.synth.OodSet;
import org.omnispark.data.synth.OodSetMaker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code omnispark ood-sets}: out-of-domain evaluation sets made from an in-domain one. */
@Command(name = "ood-sets", mixinStandardHelpOptions = true,
        description = {"Make out-of-domain evaluation sets from an in-domain manifest: the same sentences spoken by "
                + "another synthesizer, with noise, faster, slower or reverberant.",
            "Sets: flite (flite's voices), noiseNdb (white Gaussian noise at N dB SNR, e.g. noise5db, noise-5db), "
                + "fast (tempo 1.3), slow (tempo 0.75), reverb.",
            "Writes DIR/<set>/<key>.wav and DIR/<set>/manifest.jsonl (key, wav, txt) for each set.",
            "Needs sox, and flite for the flite set: apt-get install sox flite"})
public final class OodSetsCommand implements OmniSparkCommand {
    @Option(names = "--manifest", required = true, paramLabel = "FILE",
            description = "the in-domain JSON-lines manifest (key, audio_filepath or wav, text or txt)")
    Path manifest;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder that receives one folder per set")
    Path out;

    @Option(names = "--sets", defaultValue = OodSet.DEFAULT_SETS, paramLabel = "SET,...",
            description = "the sets to make (default: ${DEFAULT-VALUE})")
    String sets;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "seed of the noise (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "rows rendered at once (default: cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        OodSetMaker.Builder b = OodSetMaker.builder().setManifest(manifest).setOutputDir(out).optSets(sets)
                .optSeed(seed);
        if (threads != null) {
            b.optThreads(threads);
        }
        int rows = b.build().make();
        System.out.printf("ood sets: %s, %d utterances each, in %s%n", sets, rows, out);
        return 0;
    }
}
