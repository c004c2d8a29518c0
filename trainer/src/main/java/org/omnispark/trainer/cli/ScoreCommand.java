package org.omnispark.trainer.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.cli.OmniSparkCommand;
import org.omnispark.trainer.metrics.ErrorRateCalculator;
import org.omnispark.trainer.metrics.ErrorRateReport;
import org.omnispark.trainer.metrics.TrnFile;
import org.omnispark.trainer.metrics.UtteranceCountsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code omnispark score}: sclite-weighted WER and CER of trn files, with per-utterance counts
 * ({@link UtteranceCountsFile}), by the scorer eval uses. For runs made before eval wrote the counts, and for
 * hypotheses from other systems.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score hypotheses against references (sclite trn files, 'text (utterance-id)') with the",
            "scorer eval uses (substitution 4, insertion and deletion 3): prints WER and CER. Either --ref and",
            "--hyp (and --out for the per-utterance counts), or --dir for eval's mode folders (each holding",
            "ref.trn and hyp.trn; utterances.tsv is written beside them)."})
public final class ScoreCommand implements OmniSparkCommand {
    @Option(names = "--ref", paramLabel = "TRN", description = "reference trn file")
    Path ref;

    @Option(names = "--hyp", paramLabel = "TRN", description = "hypothesis trn file")
    Path hyp;

    @Option(names = "--out", paramLabel = "TSV", description = "with --ref/--hyp: write the per-utterance counts here")
    Path out;

    @Option(names = "--dir", paramLabel = "DIR", description = "a mode folder of eval (repeatable)")
    List<Path> dirs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if ((ref == null) != (hyp == null) || (ref == null) == dirs.isEmpty()) {
            System.err.println("score: give --ref and --hyp, or one or more --dir (see --help)");
            return 2;
        }
        if (ref != null) {
            score(ref, hyp, out, ref.toString());
        }
        for (Path d : dirs) {
            score(d.resolve("ref.trn"), d.resolve("hyp.trn"), d.resolve(UtteranceCountsFile.NAME), d.toString());
        }
        return 0;
    }

    private static void score(Path ref, Path hyp, Path counts, String name) throws java.io.IOException {
        ErrorRateReport report = ErrorRateCalculator.sclite().score(TrnFile.read(ref), TrnFile.read(hyp));
        if (counts != null) {
            UtteranceCountsFile.write(counts, report);
        }
        System.out.printf(java.util.Locale.ROOT, "%s: WER %.2f %% (%s) CER %.2f %% (%s), %d utterances%n", name,
                100 * report.wer(), report.words(), 100 * report.cer(), report.characters(), report.utterances());
    }
}
