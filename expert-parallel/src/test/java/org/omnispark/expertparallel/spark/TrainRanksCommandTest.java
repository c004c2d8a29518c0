package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.cli.Main;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.infra.CheckpointManager;

/**
 * {@code omnispark train --ranks 2} as a user runs it: the real command line, a dataset in 2 shards (each rank reads
 * its own, with a different number of batches), validation every 2 steps, an embedded local[2] Spark; then {@code
 * eval} on its output folder, and a second run with {@code --ranks 1} that resumes from the 2-rank checkpoint.
 */
class TrainRanksCommandTest {

    @Test
    @Timeout(600)
    void trainWithTwoRanksThenEvalAndResumeOnOne() throws Exception {
        Path data = TinyDatasets.dataset(20, 2);
        Path out = Files.createTempDirectory("omnispark-train-ranks").resolve("exp");
        Path root = TinyDatasets.repoRoot();
        List<String> tiny = List.of("model.encoder_conf.output_size=32", "model.encoder_conf.attention_heads=2",
                "model.encoder_conf.linear_units=64", "model.encoder_conf.num_blocks=2",
                "model.decoder_conf.attention_heads=2", "model.decoder_conf.linear_units=64",
                "train.batch.max_batch_size=4", "train.log_interval=1", "train.checkpoint.interval=2",
                "train.valid_interval=2");
        String first = run(root, data, out, "2", "train.max_steps=4", tiny);
        assertTrue(first.contains("expert-parallel training: 2 ranks on local[2]"), first);
        assertTrue(first.contains("slowest rank"), "the driver shows the per-rank split: " + first);
        assertTrue(first.contains("step 2 | validation loss") && first.contains("step 4 | validation loss"),
                "every rank validates (their experts serve each other), rank 0 reports: " + first);
        CheckpointManager checkpoints = CheckpointManager.builder()
                .setDirectory(out.resolve(ModelDirectory.CHECKPOINTS)).build();
        assertEquals("ckpt-4", checkpoints.latest().orElseThrow().getName());

        PrintStream old = System.out;
        ByteArrayOutputStream eval = new ByteArrayOutputStream();
        System.setOut(new PrintStream(eval, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute("eval", "--model", out.toString(), "--data", data.toString(),
                    "--out", out.resolve("eval").toString(), "--mode", "ctc_greedy");
            assertEquals(0, code, eval.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        assertTrue(Files.exists(out.resolve("eval/report.json")), "eval reads the expert-parallel output folder");

        String second = run(root, data, out, "1", "train.max_steps=6", tiny);
        assertTrue(second.contains("step 6"), second);
        assertEquals("ckpt-6", checkpoints.latest().orElseThrow().getName());
    }

    /** Stops the session the command made (it stays the default session of this JVM otherwise). */
    static void stopSessions() {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    private static String run(Path root, Path data, Path out, String ranks, String steps, List<String> extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--ranks", ranks, "--data", data.toString(),
                "--valid", data.toString(), "--out", out.toString(), "--conf", root.resolve("conf/train/tiny.yaml").toString(), "--model",
                root.resolve("conf/model/tiny_omni.yaml").toString(), steps));
        args.addAll(extra);
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args.toArray(new String[0]));
            assertEquals(0, code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
            stopSessions();
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        return text;
    }
}
