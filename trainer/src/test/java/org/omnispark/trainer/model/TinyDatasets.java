package org.omnispark.trainer.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.job.PrepareConfig;
import org.omnispark.data.job.PrepareJob;
import org.omnispark.data.synth.CorpusSynthesizer;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;

/**
 * Test fixtures of the model, loop and eval tests: a tiny prepared dataset (espeak-ng speech, made by the data
 * pipeline's CorpusSynthesizer + PrepareJob on a local[1] SparkSession) written ONCE per JVM, and tiny configs.
 */
public final class TinyDatasets {

    private static final Map<String, Path> DATASETS = new HashMap<>();

    private TinyDatasets() {}

    /**
     * A prepared dataset of {@code utterances} synthesized utterances (char tokenizer, 80 fbank bins, 1 shard).
     *
     * @param utterances how many
     * @return the dataset folder (dataset.json, shards, units.txt)
     */
    public static synchronized Path dataset(int utterances) {
        return dataset(utterances, 1);
    }

    /**
     * A prepared dataset in {@code shards} shards (for the ranks of an expert-parallel run).
     *
     * @param utterances how many
     * @param shards how many shards
     * @return the dataset folder
     */
    public static synchronized Path dataset(int utterances, int shards) {
        org.omnispark.data.tools.RequiredTools.check(onPath("espeak-ng") && onPath("sox"),
                "espeak-ng and sox are needed: apt-get install espeak-ng sox");
        String id = utterances + "x" + shards;
        Path dir = DATASETS.get(id);
        if (dir != null) {
            return dir;
        }
        try {
            Path tmp = Files.createTempDirectory("omnispark-tiny-" + id);
            Path corpus = tmp.resolve("corpus");
            CorpusSynthesizer.builder().setOutputDir(corpus).setUtterances(utterances).optSeed(11)
                    .optDamagedAudioFraction(0).optCorruptLabelFraction(0).optFormatMix(false).optThreads(2)
                    .build().synthesize();
            PrepareConfig config = ConfigLoader.load(repoRoot().resolve("conf/data/prepare.yaml"),
                    List.of("output.num_shards=" + shards, "filters.min_confidence=0.0"), PrepareConfig.class)
                    .withExtraManifests(List.of(corpus.resolve("manifest.jsonl").toString()));
            SparkSession spark = SparkSession.builder().master("local[1]").appName("omnispark-trainer-test")
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
                    .getOrCreate();
            try {
                PrepareJob.builder().setSpark(spark).setConfig(config).setOutput(tmp.resolve("data").toString())
                        .build().run();
            } finally {
                spark.stop();
            }
            dir = tmp.resolve("data");
            DATASETS.put(id, dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@link #model} with every dropout off (encoder, positional, attention, decoder), for tests that compare two runs
     * of the same forward pass.
     *
     * @param ffn dense, switch or omni
     * @param extra further overrides
     * @return the config
     */
    public static ModelConfig modelWithoutDropout(String ffn, String... extra) {
        List<String> overrides = new java.util.ArrayList<>(List.of("encoder_conf.dropout_rate=0.0",
                "encoder_conf.positional_dropout_rate=0.0", "encoder_conf.attention_dropout_rate=0.0",
                "decoder_conf.dropout_rate=0.0", "decoder_conf.positional_dropout_rate=0.0",
                "decoder_conf.self_attention_dropout_rate=0.0", "decoder_conf.src_attention_dropout_rate=0.0"));
        overrides.addAll(List.of(extra));
        return model(ffn, overrides.toArray(new String[0]));
    }

    /**
     * A tiny U2++ model config (d 32, 2 blocks, bidirectional decoder 1 + 1) from {@code conf/model/tiny_<ffn>.yaml}.
     *
     * @param ffn dense, switch or omni
     * @param extra further overrides
     * @return the config
     */
    public static ModelConfig model(String ffn, String... extra) {
        List<String> overrides = new java.util.ArrayList<>(List.of("encoder_conf.output_size=32",
                "encoder_conf.attention_heads=2", "encoder_conf.linear_units=64", "encoder_conf.num_blocks=2",
                "encoder_conf.cnn_module_kernel=5", "encoder_conf.ffn.jitter_eps=0.0",
                "decoder_conf.attention_heads=2", "decoder_conf.linear_units=64"));
        overrides.addAll(List.of(extra));
        return ModelConfig.load(repoRoot().resolve("conf/model/tiny_" + ffn + ".yaml"), overrides);
    }

    /**
     * A training config from {@code conf/train/tiny.yaml} for tiny runs.
     *
     * @param extra overrides
     * @return the config
     */
    public static TrainConfig train(String... extra) {
        List<String> overrides = new java.util.ArrayList<>(List.of("batch.max_batch_size=4",
                "batch.max_frames_per_batch=100000", "log_interval=1", "valid_interval=0",
                "checkpoint.interval=1000", "max_epochs=1000"));
        overrides.addAll(List.of(extra));
        return TrainConfig.load(repoRoot().resolve("conf/train/tiny.yaml"), overrides);
    }

    /** @return the repository root (holds conf/) */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("conf/model/tiny_omni.yaml"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (conf/model/tiny_omni.yaml)");
        }
        return p;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
