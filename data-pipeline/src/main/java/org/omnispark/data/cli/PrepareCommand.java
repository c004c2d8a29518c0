package org.omnispark.data.cli;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.omnispark.cli.OmniSparkCommand;
import org.omnispark.data.cli.SparkSessions;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.ingest.ManifestFormat;
import org.omnispark.data.job.PrepareConfig;
import org.omnispark.data.job.PrepareJob;
import org.omnispark.data.job.PrepareReport;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;
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
            description = "JSON-lines manifest, Kaldi data directory, Lhotse cuts file (cuts.jsonl.gz) or one file "
                    + "of a Lhotse recordings + supervisions pair; repeat for several corpora")
    List<String> manifests = new ArrayList<>();

    @Option(names = "--manifest-format", paramLabel = "FORMAT", description = "auto (default: a folder is Kaldi, a "
            + "file by its first line, else its name; .tar files and lists of them are tar shards, .parquet files "
            + "Hugging Face tables), jsonl, kaldi, "
            + "lhotse, wenet_tar (a data.list of tars), webdataset (a .tar, a folder of them or "
            + "shard-{000000..000009}.tar), nemo_tar (tarred_audio_manifest.json beside audio_N.tar), "
            + "lhotse_shar (a folder of cuts.NNNNNN.jsonl.gz + recording.NNNNNN.tar) or hf_parquet "
            + "(Hugging Face audio tables: a .parquet file, a folder of them or 'data/train-*.parquet'); sets "
            + "input.manifest_format")
    String manifestFormat;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "dataset folder to create")
    String out;

    @Option(names = "--conf", paramLabel = "FILE", description = "YAML config (e.g. conf/data/prepare.yaml): a local "
            + "file, or a URI (hdfs://, s3a://, file://)")
    String conf;

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
        if (manifestFormat != null) {
            try {
                ManifestFormat.parse(manifestFormat);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--manifest-format: " + e.getMessage(), e);
            }
        }
        Location confAt = conf == null ? null : Storage.file(conf);
        PrepareConfig config = ConfigLoader.load(SparkSessions.storage(), confAt, overrides, PrepareConfig.class)
                .withExtraManifests(manifests).withManifestFormat(manifestFormat);
        System.out.print("effective config (" + (confAt == null ? "built-in defaults" : confAt.toString())
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
