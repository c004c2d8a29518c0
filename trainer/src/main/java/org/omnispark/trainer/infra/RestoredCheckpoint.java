package org.omnispark.trainer.infra;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.Path;
import java.util.Objects;

/**
 * What {@link CheckpointManager#restore} read besides the tensors it wrote into the model and optimizer.
 *
 * @param path the checkpoint folder (on any Hadoop file system)
 * @param state the training position to continue from
 * @param config the config saved with it (bind it with {@code ConfigLoader.bind(config, ModelConfig.class, ...)}),
 *     an empty object if none was saved
 */
public record RestoredCheckpoint(Path path, TrainingState state, JsonNode config) {

    /** Validates the values. */
    public RestoredCheckpoint {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(config, "config");
    }
}
