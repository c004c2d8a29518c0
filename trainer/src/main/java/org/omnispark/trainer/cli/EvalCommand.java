package org.omnispark.trainer.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.omnispark.cli.OmniSparkCommand;

import org.omnispark.io.Location;
import org.omnispark.io.Storage;
import org.omnispark.trainer.eval.DecodeMode;
import org.omnispark.trainer.eval.EvalReport;
import org.omnispark.trainer.eval.Evaluator;
import org.omnispark.trainer.eval.ModeResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code omnispark eval}: decodes a prepared dataset with a trained model and scores it. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Decode a prepared dataset with a model trained by 'omnispark train' and score it (sclite rules).",
            "Writes OUT/report.json, OUT/<mode>/hyp.trn, ref.trn and utterances.tsv (per-utterance counts), and",
            "OUT/routing.json + PNGs for MoE models."})
public final class EvalCommand implements OmniSparkCommand {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the --out folder of train (a "
            + "path on the default file system, or a URI: hdfs://, s3a://, file://)")
    String model;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "prepared dataset to decode; "
            + "repeat it to decode several sets in one run (each into OUT/<the set's folder name>)")
    List<String> data = new ArrayList<>();

    @Option(names = "--mode", split = ",", paramLabel = "MODE", description = "ctc_greedy, ctc_prefix_beam_search, "
            + "attention_rescoring, streaming (default: ctc_greedy,attention_rescoring)")
    List<String> modes = new ArrayList<>(List.of("ctc_greedy", "attention_rescoring"));

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default MODEL/eval; a path or a URI)")
    String out;

    @Option(names = "--checkpoint", paramLabel = "PATH", description = "a committed ckpt-N folder, local or "
            + "hdfs://, s3a:// (default: the newest in the model's checkpoint folder)")
    String checkpoint;

    @Option(names = "--beam-size", defaultValue = "10", description = "CTC prefix beam size (default 10)")
    int beamSize;

    @Option(names = "--decoding-chunk-size", defaultValue = "0",
            description = "chunk in output frames for every mode; 0 = full context for the batched modes and "
                    + "16 for streaming (default 0)")
    int chunk;

    @Option(names = "--num-decoding-left-chunks", defaultValue = "-1",
            description = "left chunks of context, -1 = all (default -1)")
    int leftChunks;

    @Override
    public Integer call() {
        List<DecodeMode> parsed = modes.stream().map(DecodeMode::parse).toList();
        Storage storage = Storage.fromEnvironment();
        Location modelAt = storage.data(model);
        Location outAt = out == null ? null : storage.data(out);
        for (String typed : data) {
            Location set = storage.data(typed);
            Location setOut = data.size() == 1 ? outAt : (outAt != null ? outAt : modelAt.resolve("eval"))
                    .resolve(set.name());
            EvalReport report = Evaluator.builder().setModelDir(modelAt).setData(set).optOutput(setOut)
                    .optHadoopConfiguration(storage.conf())
                    .optCheckpoint(checkpoint == null ? null : storage.data(checkpoint).toString()).optModes(parsed).optBeamSize(beamSize)
                    .optDecodingChunk(chunk, leftChunks).build().run();
            if (data.size() > 1) {
                System.out.println("== " + set);
            }
            for (ModeResult r : report.modes()) {
                System.out.printf(Locale.ROOT, "%-24s WER %6.2f%%  CER %6.2f%%  (%s; %d utterances, %.1f s audio, "
                        + "RTF %.4f)%n", r.mode().id(), 100 * r.errors().wer(), 100 * r.errors().cer(), r.context(),
                        r.errors().utterances(), r.audioSeconds(), r.realTimeFactor());
            }
            System.out.println("report: " + report.reportFile());
        }
        return 0;
    }
}
