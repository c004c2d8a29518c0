package org.omnispark.trainer.cli;

import java.nio.file.Path;
import org.omnispark.cli.OmniSparkCommand;
import org.omnispark.trainer.export.SafetensorsExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code omnispark export}: a trained model as safetensors with WeNet's names, its config and vocabulary. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a model trained by 'omnispark train' for PyTorch / Hugging Face users: writes",
            "OUT/model.safetensors (WeNet parameter names), OUT/config.json and OUT/units.txt."})
public final class ExportCommand implements OmniSparkCommand {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the --out folder of train")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "export folder")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "PATH", description = "a committed ckpt-N folder (default: the "
            + "newest)")
    String checkpoint;

    @Override
    public Integer call() {
        int tensors = SafetensorsExport.export(model, checkpoint, out);
        System.out.println("exported " + tensors + " tensors to " + out.resolve(SafetensorsExport.WEIGHTS));
        return 0;
    }
}
