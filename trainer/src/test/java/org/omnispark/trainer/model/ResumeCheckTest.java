package org.omnispark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model folder is continued only by the same training: the same model config, data and batch plan. Settings that
 * may change between runs (max_steps, intervals, checkpoint keep) do not stop a resume.
 */
class ResumeCheckTest {
    @Test
    void aRunWithOtherSettingsIsRefusedWithTheDifferencesAndTheWayOut(@TempDir Path tmp) throws Exception {
        Path data = TinyDatasets.dataset(8);
        Path out = tmp.resolve("model");
        ModelDirectory.create(out, TinyDatasets.model("dense"), TinyDatasets.train(), data);
        assertTrue(Files.exists(out.resolve(ModelDirectory.MODEL_FILE)));

        assertDoesNotThrow(() -> ModelDirectory.create(out, TinyDatasets.model("dense"),
                TinyDatasets.train("max_steps=99", "log_interval=3", "checkpoint.keep=5"), data),
                "longer training, other intervals: the same training");

        IllegalStateException model = assertThrows(IllegalStateException.class, () -> ModelDirectory.create(out,
                TinyDatasets.model("switch"), TinyDatasets.train(), data));
        assertTrue(model.getMessage().contains("model.") && model.getMessage().contains("new --out"),
                model.getMessage());

        IllegalStateException batch = assertThrows(IllegalStateException.class, () -> ModelDirectory.create(out,
                TinyDatasets.model("dense"), TinyDatasets.train("batch.max_batch_size=3", "seed=5"), data));
        assertTrue(batch.getMessage().contains("train.batch.max_batch_size")
                && batch.getMessage().contains("train.seed"), batch.getMessage());

        Path other = TinyDatasets.dataset(10);
        IllegalStateException dataset = assertThrows(IllegalStateException.class, () -> ModelDirectory.create(out,
                TinyDatasets.model("dense"), TinyDatasets.train(), other));
        assertTrue(dataset.getMessage().contains("training data"), dataset.getMessage());
        String kept = Files.readString(out.resolve(ModelDirectory.MODEL_FILE));
        assertTrue(kept.contains("\"max_steps\" : 99"), "a refused run leaves the folder as it was: " + kept);
    }
}
