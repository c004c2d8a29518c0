package org.omnispark.trainer.cli;

import org.omnispark.cli.SparkSessions;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;
import org.omnispark.cli.OmniSparkCommand;
import org.omnispark.trainer.export.SafetensorsExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code omnispark export}: a trained model as safetensors with WeNet's names, its config and vocabulary. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a model trained by 'omnispark train' for PyTorch / Hugging Face users: writes",
            "OUT/model.safetensors (WeNet parameter names), OUT/config.json and OUT/units.txt."})
public final class ExportCommand implements OmniSparkCommand {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the --out folder of train (a "
            + "path or a URI)")
    String model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "export folder (a path or a URI)")
    String out;

    @Option(names = "--checkpoint", paramLabel = "PATH", description = "a committed ckpt-N folder (default: the "
            + "newest)")
    String checkpoint;

    @Override
    public Integer call() {
        Storage storage = SparkSessions.storage();
        Location outAt = storage.data(out);
        int tensors = SafetensorsExport.export(storage, storage.data(model),
                checkpoint == null ? null : storage.data(checkpoint).toString(), outAt);
        System.out.println("exported " + tensors + " tensors to " + outAt.resolve(SafetensorsExport.WEIGHTS));
        return 0;
    }
}
