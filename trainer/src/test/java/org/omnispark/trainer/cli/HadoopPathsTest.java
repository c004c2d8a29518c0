package org.omnispark.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.cli.Main;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.hdfs.MiniHdfs;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * Every path of train, eval and export is a Hadoop URI: {@code file://} URIs on the local disk, and a real HDFS
 * (MiniDFSCluster) for data, configs, outputs, checkpoints, metrics, TensorBoard, reports and the export. The HDFS run
 * must give the same evaluation as the local run with the same seed, and leave nothing on the local disk.
 */
class HadoopPathsTest {

    @TempDir
    Path tmp;

    private static final String[] TINY = {"model.encoder_conf.output_size=32", "model.encoder_conf.num_blocks=1",
        "model.encoder_conf.linear_units=32", "model.decoder_conf.linear_units=32", "train.max_steps=2",
        "train.valid_interval=2", "train.batch.max_batch_size=4", "train.log_interval=1"};

    private static String[] train(String data, String out, String conf, String model) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data, "--valid", data, "--out", out,
                "--conf", conf, "--model", model));
        args.addAll(Arrays.asList(TINY));
        return args.toArray(String[]::new);
    }

    @Test
    void fileUrisOnEveryPath() throws Exception {
        Path data = TinyDatasets.dataset(4);
        Path root = TinyDatasets.repoRoot();
        Path out = tmp.resolve("exp");
        var cli = Main.commandLine();
        assertEquals(0, cli.execute(train(data.toUri().toString(), out.toUri().toString(),
                root.resolve("conf/train/tiny.yaml").toUri().toString(),
                root.resolve("conf/model/tiny_switch.yaml").toUri().toString())), "train with file:// URIs");
        assertTrue(Files.exists(out.resolve("checkpoints/ckpt-2/checkpoint.json")));
        assertTrue(Files.size(out.resolve("metrics.jsonl")) > 0);
        assertEquals(0, cli.execute("eval", "--model", out.toUri().toString(), "--data", data.toUri().toString(),
                "--out", tmp.resolve("eval").toUri().toString(), "--mode", "ctc_greedy"), "eval with file:// URIs");
        assertTrue(Files.exists(tmp.resolve("eval/report.json")));
        assertTrue(Files.exists(tmp.resolve("eval/ctc_greedy/hyp.trn")));
        assertEquals(0, cli.execute("export", "--model", out.toUri().toString(), "--out",
                tmp.resolve("export").toUri().toString()), "export with file:// URIs");
        assertTrue(Files.size(tmp.resolve("export/model.safetensors")) > 0);
        try (var files = Files.list(out)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".crc")),
                    "no Hadoop checksum files beside the outputs");
        }
    }

    @Test
    void hdfsForDataConfigsAndOutputsMatchesTheLocalRun() throws Exception {
        Path data = TinyDatasets.dataset(4);
        Path root = TinyDatasets.repoRoot();
        Path cwd = Path.of("").toAbsolutePath();
        var cli = Main.commandLine();

        Path local = tmp.resolve("local");
        assertEquals(0, cli.execute(train(data.toString(), local.toString(),
                root.resolve("conf/train/tiny.yaml").toString(),
                root.resolve("conf/model/tiny_switch.yaml").toString())), "local train");
        assertEquals(0, cli.execute("eval", "--model", local.toString(), "--data", data.toString(), "--mode",
                "ctc_greedy,attention_rescoring"), "local eval");

        try (MiniHdfs hdfs = MiniHdfs.start()) {
            FileSystem fs = hdfs.fileSystem();
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(data.toUri()), hdfs.path("/corpus/train"));
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(root.resolve("conf/train/tiny.yaml").toUri()),
                    hdfs.path("/conf/tiny.yaml"));
            // the default file system comes from spark.hadoop.* (as spark-submit passes --conf settings): paths
            // without a scheme are on HDFS; config files without a scheme are local
            System.setProperty("spark.hadoop.fs.defaultFS", hdfs.uri());
            try {
                assertEquals(0, cli.execute(train("/corpus/train", "/exp/run1", hdfs.uri() + "/conf/tiny.yaml",
                        root.resolve("conf/model/tiny_switch.yaml").toString())), "train on HDFS");
                assertEquals(0, cli.execute("eval", "--model", "/exp/run1", "--data", hdfs.uri() + "/corpus/train",
                        "--mode", "ctc_greedy,attention_rescoring"), "eval on HDFS");
                assertEquals(0, cli.execute("export", "--model", hdfs.uri() + "/exp/run1", "--out", "/exp/export"),
                        "export on HDFS");
            } finally {
                System.clearProperty("spark.hadoop.fs.defaultFS");
            }
            for (String file : List.of("model.json", "units.txt", "metrics.jsonl", "checkpoints/ckpt-2/checkpoint.json",
                    "eval/report.json", "eval/ctc_greedy/hyp.trn", "eval/attention_rescoring/ref.trn",
                    "eval/routing.json")) {
                assertTrue(fs.exists(hdfs.path("/exp/run1/" + file)), file + " on HDFS");
            }
            assertEquals(1, fs.listStatus(hdfs.path("/exp/run1/tensorboard")).length, "one TensorBoard event file");
            assertTrue(fs.getFileStatus(hdfs.path("/exp/export/model.safetensors")).getLen() > 1000);
            assertTrue(fs.exists(hdfs.path("/exp/export/config.json")));
            assertFalse(Files.exists(cwd.resolve("exp")), "nothing written to the local working directory");
            assertFalse(Files.exists(Path.of("/exp")), "nothing written to a local /exp");

            JsonNode onHdfs;
            try (var in = fs.open(hdfs.path("/exp/run1/eval/report.json"))) {
                onHdfs = ConfigLoader.json().readTree(in);
            }
            JsonNode onDisk = ConfigLoader.json().readTree(local.resolve("eval/report.json").toFile());
            for (String mode : List.of("ctc_greedy", "attention_rescoring")) {
                assertEquals(onDisk.at("/modes/" + mode + "/characters"), onHdfs.at("/modes/" + mode + "/characters"),
                        mode + ": the HDFS run decodes exactly as the local run (same seed, same data)");
            }
            String hyp;
            try (var in = fs.open(hdfs.path("/exp/run1/eval/ctc_greedy/hyp.trn"))) {
                hyp = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            assertEquals(Files.readString(local.resolve("eval/ctc_greedy/hyp.trn")), hyp);
        }
    }
}
