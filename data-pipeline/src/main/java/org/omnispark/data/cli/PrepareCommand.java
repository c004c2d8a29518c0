package org.omnispark.data.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.omnispark.cli.OmniSparkCommand;
import org.omnispark.cli.SparkSessions;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.job.PrepareConfig;
import org.omnispark.data.job.PrepareJob;
import org.omnispark.data.job.PrepareReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code omnispark prepare}: manifests to Parquet feature shards. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = {"Turn audio + pseudo-label manifests into Parquet shards of fbank features and token ids.",
            "Writes DIR/dataset.json, DIR/shards/*.parquet, DIR/rejects/*.parquet, DIR/units.txt, DIR/report.json;",
            "dataset.json is written last; a crashed run, started again with the same arguments, resumes from",
            "its finished shards (DIR/_work)."})
public final class PrepareCommand implements OmniSparkCommand {
    @Option(names = "--manifest", required = true, paramLabel = "FILE",
            description = "JSON-lines manifest or Kaldi data directory; repeat for several corpora")
    List<String> manifests = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "dataset folder to create")
    String out;

    @Option(names = "--conf", paramLabel = "FILE", description = "YAML config (e.g. conf/data/prepare.yaml)")
    Path conf;

    @Option(names = "--overwrite", description = "replace an existing dataset at --out")
    boolean overwrite;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark-submit's, else local[*])")
    String master;

    @Parameters(paramLabel = "key=value", description = "config overrides, e.g. output.num_shards=16 "
            + "filters.min_confidence=0.6 audio.speed_perturb=[0.9,1.1]")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrepareConfig config = ConfigLoader.load(conf, overrides, PrepareConfig.class).withExtraManifests(manifests);
        System.out.print("effective config (" + (conf == null ? "built-in defaults" : conf.toString())
                + (overrides.isEmpty() ? "" : " + " + String.join(" ", overrides)) + "):\n"
                + config.describe().replaceAll("(?m)^", "  "));
        try (SparkSession spark = SparkSessions.getOrCreate("omnispark-prepare", master)) {
            System.out.println("spark: master " + spark.sparkContext().master() + ", default parallelism "
                    + spark.sparkContext().defaultParallelism());
            PrepareReport report = PrepareJob.builder().setSpark(spark).setConfig(config).setOutput(out)
                    .optOverwrite(overwrite).build().run();
            System.out.print(report.summary());
        }
        return 0;
    }
}
