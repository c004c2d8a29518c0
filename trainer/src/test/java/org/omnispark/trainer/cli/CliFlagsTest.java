package org.omnispark.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.cli.Main;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import picocli.CommandLine;

/**
 * Each flag of {@code train}, {@code eval} and {@code export} changes what it says it changes: checked on the files the
 * command writes, not on its exit code alone. One tiny Switch model is trained once (2 steps, a checkpoint after each)
 * and shared by the eval and export checks. {@code train --ranks} is checked in expert-parallel (TrainRanksCommandTest,
 * StandaloneClusterTest).
 */
class CliFlagsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static Path data;
    private static Path model;

    private static String[] trainArgs(Path out, String... extra) {
        Path root = TinyDatasets.repoRoot();
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(),
                "--conf", root.resolve("conf/train/tiny.yaml").toString(),
                "--model", root.resolve("conf/model/tiny_switch.yaml").toString(),
                "model.encoder_conf.output_size=32", "model.encoder_conf.num_blocks=1",
                "model.encoder_conf.linear_units=32", "model.decoder_conf.linear_units=32", "train.max_steps=2",
                "train.checkpoint.interval=1", "train.batch.max_batch_size=4", "train.log_interval=1"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @BeforeAll
    static void trainOnce() {
        data = TinyDatasets.dataset(4);
        model = tmp.resolve("exp");
        assertEquals(0, Main.commandLine().execute(trainArgs(model, "--valid", data.toString(),
                "train.valid_interval=1")));
    }

    private static JsonNode json(Path file) throws IOException {
        return JSON.readTree(Files.readString(file));
    }

    private static List<JsonNode> metrics(Path modelDir) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(modelDir.resolve("metrics.jsonl"))) {
            if (!line.isBlank()) {
                rows.add(JSON.readTree(line));
            }
        }
        return rows;
    }

    @Test
    void trainFlags() throws IOException {
        ModelDirectory dir = ModelDirectory.read(model);
        assertEquals("switch", dir.modelConfig().encoderConf().ffn().type(), "--model: the Switch config");
        assertEquals(200, dir.trainConfig().warmupSteps(), "--conf: conf/train/tiny.yaml's warmup");
        assertTrue(Files.readString(model.resolve("model.json")).contains(data.getFileName().toString()),
                "--data: the training set is recorded in model.json");
        assertTrue(Files.isDirectory(model.resolve("checkpoints/ckpt-1"))
                && Files.isDirectory(model.resolve("checkpoints/ckpt-2")), "--out: checkpoints in the folder");
        assertTrue(metrics(model).stream().anyMatch(r -> r.has("valid_cer")), "--valid: validation rows");

        Path noValid = tmp.resolve("no-valid");
        assertEquals(0, Main.commandLine().execute(trainArgs(noValid, "train.max_steps=1")));
        assertFalse(metrics(noValid).stream().anyMatch(r -> r.has("valid_cer")), "without --valid: none");
    }

    @Test
    void evalFlags() throws IOException {
        CommandLine cli = Main.commandLine();
        Path out = tmp.resolve("eval-a");
        assertEquals(0, cli.execute("eval", "--model", model.toString(), "--data", data.toString(), "--out",
                out.toString(), "--mode", "ctc_prefix_beam_search", "--beam-size", "3", "--checkpoint",
                model.resolve("checkpoints/ckpt-1").toString()));
        JsonNode report = json(out.resolve("report.json"));
        assertEquals(List.of("ctc_prefix_beam_search"), fieldNames(report.get("modes")), "--mode: only that mode");
        assertEquals(3, report.get("decoding").get("beam_size").asInt(), "--beam-size reaches the decoder");
        assertTrue(report.get("checkpoint").asText().endsWith("ckpt-1"), "--checkpoint: " + report.get("checkpoint"));
        assertTrue(Files.exists(out.resolve("ctc_prefix_beam_search/hyp.trn")), "--out: the trn files there");

        Path byDefault = tmp.resolve("eval-b");
        assertEquals(0, cli.execute("eval", "--model", model.toString(), "--data", data.toString(), "--out",
                byDefault.toString(), "--mode", "ctc_greedy,attention_rescoring,streaming",
                "--decoding-chunk-size", "4", "--num-decoding-left-chunks", "1"));
        report = json(byDefault.resolve("report.json"));
        assertTrue(report.get("checkpoint").asText().endsWith("ckpt-2"), "the newest checkpoint by default");
        assertEquals(10, report.get("decoding").get("beam_size").asInt(), "default beam");
        for (String mode : List.of("ctc_greedy", "attention_rescoring", "streaming")) {
            JsonNode m = report.get("modes").get(mode);
            assertEquals(4, m.get("decoding_chunk_size").asInt(), mode + ": --decoding-chunk-size");
            assertEquals(1, m.get("num_decoding_left_chunks").asInt(), mode + ": --num-decoding-left-chunks");
            assertTrue(m.get("context").asText().contains("4"), mode + " says its context: " + m.get("context"));
        }

        Path sets = tmp.resolve("eval-sets");
        Path other = TinyDatasets.dataset(4, 2);
        assertEquals(0, cli.execute("eval", "--model", model.toString(), "--data", data.toString(), "--data",
                other.toString(), "--out", sets.toString(), "--mode", "ctc_greedy"));
        assertTrue(Files.exists(sets.resolve(data.getFileName().toString()).resolve("report.json"))
                && Files.exists(sets.resolve(other.getFileName().toString()).resolve("report.json")),
                "--data twice: one report per set");

        assertEquals(2, cli.execute("eval", "--model", model.toString(), "--data", data.toString(), "--mode",
                "ctc_prefix_beam_search", "--beam-size", "0"), "a beam of 0 is a usage error");
    }

    @Test
    void exportCheckpointFlag() throws IOException {
        CommandLine cli = Main.commandLine();
        Path first = tmp.resolve("export-1");
        Path newest = tmp.resolve("export-newest");
        assertEquals(0, cli.execute("export", "--model", model.toString(), "--out", first.toString(),
                "--checkpoint", model.resolve("checkpoints/ckpt-1").toString()));
        assertEquals(0, cli.execute("export", "--model", model.toString(), "--out", newest.toString()));
        assertTrue(header(first).get("__metadata__").toString().contains("ckpt-1"), "--checkpoint recorded");
        assertTrue(header(newest).get("__metadata__").toString().contains("ckpt-2"), "the newest by default");
        byte[] a = Files.readAllBytes(first.resolve("model.safetensors"));
        byte[] b = Files.readAllBytes(newest.resolve("model.safetensors"));
        assertNotEquals(ByteBuffer.wrap(a, 8 + headerLength(a), a.length - 8 - headerLength(a)),
                ByteBuffer.wrap(b, 8 + headerLength(b), b.length - 8 - headerLength(b)),
                "two steps apart, the exported weights differ");
    }

    private static int headerLength(byte[] file) {
        return (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static JsonNode header(Path exportDir) throws IOException {
        byte[] file = Files.readAllBytes(exportDir.resolve("model.safetensors"));
        return JSON.readTree(new String(file, 8, headerLength(file), StandardCharsets.UTF_8));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
