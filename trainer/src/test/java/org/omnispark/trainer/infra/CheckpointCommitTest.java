package org.omnispark.trainer.infra;

import org.omnispark.io.CommitFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * The commit marker under failures: a marker that is damaged (truncated) is passed over to the previous committed
 * checkpoint, with a message that says so; a writer that dies while writing the marker leaves no "committed" partial
 * marker; and starting a checkpoint of a step that is already committed never deletes it.
 */
class CheckpointCommitTest {
    @TempDir
    Path dir;

    private static List<ModelParameter> model(NDManager manager, long seed) {
        return List.of(ModelParameter.uniform(manager, "w", new Shape(3), DataType.FLOAT32, 0.5, seed, false));
    }

    private org.apache.hadoop.fs.Path ckpt(long step) {
        return new org.apache.hadoop.fs.Path(CheckpointManager.localPath(dir), "ckpt-" + step);
    }

    @Test
    void aTruncatedNewestMarkerFallsBackToThePreviousCheckpointAndSaysSo() throws Exception {
        try (NDManager manager = TrainTestSupport.newManager()) {
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).optKeep(3).build();
            List<ModelParameter> first = model(manager, 1);
            checkpoints.save(first, null, new TrainingState(10, 0, 10, 0, 10), null);
            checkpoints.save(model(manager, 2), null, new TrainingState(20, 0, 20, 0, 20), null);
            Path marker = dir.resolve("ckpt-20/checkpoint.json");
            byte[] whole = Files.readAllBytes(marker);
            Files.write(marker, java.util.Arrays.copyOf(whole, whole.length / 3)); // torn mid-write

            String err = stderrOf(() -> assertEquals(ckpt(10), checkpoints.latest().orElseThrow()));
            assertTrue(err.contains("ckpt-20") && err.contains("damaged") && err.contains("falling back to ckpt-10"),
                    err);
            List<ModelParameter> restored = model(manager, 3);
            assertEquals(10, checkpoints.restore(checkpoints.latest().orElseThrow(), restored, null).state().step());
            assertArrayEquals(first.get(0).array().toFloatArray(), restored.get(0).array().toFloatArray(), 0f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> checkpoints.restore(ckpt(20), model(manager, 4), null));
            assertTrue(e.getMessage().contains("damaged") && !e.getMessage().contains("version 1"), e.getMessage());
        }
    }

    @Test
    void aWriterDyingWhileWritingTheMarkerLeavesThePreviousCheckpointTheNewest() {
        Configuration tearing = new Configuration();
        tearing.set("fs.file.impl", org.omnispark.data.job.TearingFileSystem.class.getName());
        tearing.setBoolean("fs.file.impl.disable.cache", true);
        try (NDManager manager = TrainTestSupport.newManager()) {
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).optKeep(3)
                    .optConfiguration(tearing).build();
            checkpoints.save(model(manager, 1), null, new TrainingState(10, 0, 10, 0, 10), null);
            org.omnispark.data.job.TearingFileSystem.tear("checkpoint.json",
                    org.omnispark.io.CommitFile.TEMP_PREFIX + "checkpoint.json");
            try {
                assertThrows(RuntimeException.class, () -> checkpoints.save(model(manager, 2), null,
                        new TrainingState(20, 0, 20, 0, 20), null));
            } finally {
                org.omnispark.data.job.TearingFileSystem.tear();
            }
            assertEquals(ckpt(10), checkpoints.latest().orElseThrow());
            assertEquals(List.of(ckpt(10)), checkpoints.list(), "no partial marker counts as a commit");
        }
    }

    @Test
    void startingAStepThatIsAlreadyCommittedKeepsIt() {
        try (NDManager manager = TrainTestSupport.newManager()) {
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir).optKeep(3).build();
            List<ModelParameter> saved = model(manager, 1);
            checkpoints.save(saved, null, new TrainingState(10, 0, 10, 0, 10), null);
            checkpoints.begin(10); // e.g. a run resumed from step 10 that saves at step 10 again, then dies
            assertEquals(ckpt(10), checkpoints.latest().orElseThrow(), "the committed checkpoint is still there");
            List<ModelParameter> restored = model(manager, 2);
            checkpoints.restore(ckpt(10), restored, null);
            assertArrayEquals(saved.get(0).array().toFloatArray(), restored.get(0).array().toFloatArray(), 0f);
        }
    }

    private static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
