package org.omnispark.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.cli.Main;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import picocli.CommandLine;

/** {@code omnispark train} and {@code omnispark eval} through the launcher's command line (service-loaded). */
class CommandsTest {

    @TempDir
    Path tmp;

    @Test
    void trainThenEvalFromTheCommandLine() throws Exception {
        Path data = TinyDatasets.dataset(4);
        Path root = TinyDatasets.repoRoot();
        Path out = tmp.resolve("exp");
        CommandLine cli = Main.commandLine();
        int code = cli.execute("train", "--data", data.toString(), "--valid", data.toString(), "--out", out.toString(),
                "--conf", root.resolve("conf/train/tiny.yaml").toString(),
                "--model", root.resolve("conf/model/tiny_switch.yaml").toString(),
                "model.encoder_conf.output_size=32", "model.encoder_conf.num_blocks=1",
                "model.encoder_conf.linear_units=32", "model.decoder_conf.linear_units=32", "train.max_steps=2",
                "train.valid_interval=2", "train.batch.max_batch_size=4");
        assertEquals(0, code, "train exit code");
        assertEquals(32, ModelDirectory.read(out).modelConfig().encoderConf().outputSize(), "model. override applied");
        assertEquals(2L, ModelDirectory.read(out).trainConfig().maxSteps(), "train. override applied");
        assertTrue(Files.exists(out.resolve("checkpoints/ckpt-2")));
        assertEquals(2, cli.execute("train", "--data", data.toString(), "--out", out.toString(), "lr=1"),
                "an override without model./train. prefix is a usage error");

        code = cli.execute("eval", "--model", out.toString(), "--data", data.toString(), "--mode",
                "ctc_greedy,streaming", "--decoding-chunk-size", "8");
        assertEquals(0, code, "eval exit code");
        assertTrue(Files.exists(out.resolve("eval/report.json")));
        assertTrue(Files.exists(out.resolve("eval/streaming/hyp.trn")));
        assertTrue(Files.exists(out.resolve("eval/routing.json")), "switch model: routing statistics");
    }

    @Test
    void theWenetMoeConfigTrainsAndDecodes() throws Exception {
        Path data = TinyDatasets.dataset(4);
        Path root = TinyDatasets.repoRoot();
        Path out = tmp.resolve("wenet");
        CommandLine cli = Main.commandLine();
        assertEquals(0, cli.execute("train", "--data", data.toString(), "--out", out.toString(),
                "--conf", root.resolve("conf/train/tiny.yaml").toString(),
                "--model", root.resolve("conf/model/tiny_wenet_moe.yaml").toString(),
                "model.encoder_conf.output_size=32", "model.encoder_conf.num_blocks=1",
                "model.encoder_conf.linear_units=32", "model.decoder_conf.linear_units=32", "train.max_steps=2",
                "train.batch.max_batch_size=4"), "train with MoE in encoder and decoder");
        assertEquals("switch", ModelDirectory.read(out).modelConfig().decoderConf().ffn().type());
        assertEquals(0, cli.execute("eval", "--model", out.toString(), "--data", data.toString(), "--mode",
                "attention_rescoring"), "rescoring runs the MoE decoder");
        assertTrue(Files.exists(out.resolve("eval/attention_rescoring/hyp.trn")));
    }
}
