package org.omnispark.trainer.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.omnispark.cli.OmniSparkCommand;
import org.omnispark.cli.SparkSessions;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.ParameterCount;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.loop.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code omnispark train}: trains a U2++ model (dense, Switch or Omni-router) on a prepared dataset. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a U2++ model on a dataset made by 'omnispark prepare'.",
            "Writes OUT/model.json, OUT/units.txt, OUT/checkpoints/, OUT/metrics.jsonl, OUT/tensorboard/;",
            "rerunning with the same --out resumes from the newest checkpoint."})
public final class TrainCommand implements OmniSparkCommand {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "prepared training set: a path "
            + "(on the default file system) or a URI, hdfs://, s3a://, file://")
    String data;

    @Option(names = "--conf", paramLabel = "FILE", description = "training config, e.g. conf/train/tiny.yaml (a local "
            + "file, or a URI)")
    String trainConf;

    @Option(names = "--model", paramLabel = "FILE", description = "model config, e.g. conf/model/tiny_omni.yaml (a "
            + "local file, or a URI)")
    String modelConf;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output / model folder (a path on "
            + "the default file system, or a URI)")
    String out;

    @Option(names = "--valid", paramLabel = "DIR", description = "prepared held-out set for validation (a path or "
            + "a URI)")
    String valid;

    @Option(names = "--ranks", paramLabel = "N", description = {"expert parallelism: N ranks, each holding E/N "
        + "experts of every MoE layer, as the tasks of one Spark barrier stage (local[N] unless --master or "
        + "spark-submit says otherwise); without it, one process holds every expert"})
    Integer ranks;

    @Parameters(paramLabel = "key=value", description = "overrides prefixed model. or train., e.g. "
            + "model.encoder_conf.ffn.num_experts=8 train.max_steps=500")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> model = new ArrayList<>();
        List<String> train = new ArrayList<>();
        for (String o : overrides) {
            if (o.startsWith("model.")) {
                model.add(o.substring("model.".length()));
            } else if (o.startsWith("train.")) {
                train.add(o.substring("train.".length()));
            } else {
                throw new IllegalArgumentException("override '" + o + "' needs a model. or train. prefix, e.g. "
                        + "train.lr=0.002");
            }
        }
        Storage storage = SparkSessions.storage();
        ModelConfig modelConfig = ModelConfig.load(storage, modelConf == null ? null : Storage.file(modelConf), model);
        TrainConfig trainConfig = TrainConfig.load(storage, trainConf == null ? null : Storage.file(trainConf), train);
        Location dataAt = storage.data(data);
        Location validAt = valid == null ? null : storage.data(valid);
        Location outAt = storage.data(out);
        TrainSummary summary;
        if (ranks != null) {
            if (ranks < 1) {
                throw new IllegalArgumentException("--ranks needs N >= 1, got " + ranks);
            }
            ExpertParallelLauncher launcher = ServiceLoader.load(ExpertParallelLauncher.class).findFirst()
                    .orElseThrow(() -> new IllegalStateException("--ranks needs the expert-parallel module on the "
                            + "classpath (omnispark-expert-parallel jar); submit/omnispark puts it there"));
            summary = launcher.train(ranks, modelConfig, trainConfig, dataAt, validAt, outAt, System.out);
        } else {
            summary = Trainer.builder().setModelConfig(modelConfig).setTrainConfig(trainConfig)
                    .setTrainData(dataAt).optValidData(validAt).setOutput(outAt).optHadoopConfiguration(storage.conf())
                    .optConsole(System.out).build().run();
        }
        System.out.printf(java.util.Locale.ROOT, "trained steps %d..%d in %.1f s; last checkpoint %s%n",
                summary.startStep(), summary.finalStep(), summary.seconds(), summary.lastCheckpoint());
        int vocab = org.omnispark.trainer.model.ModelDirectory.read(storage, outAt).vocabSize();
        System.out.println("parameters: " + ParameterCount.of(modelConfig, vocab).summary());
        return 0;
    }
}
