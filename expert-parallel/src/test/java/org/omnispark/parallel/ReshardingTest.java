package org.omnispark.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.parallel.ExpertCheckpoints;
import org.omnispark.trainer.train.CheckpointManager;
import org.omnispark.trainer.train.Optimizer;
import org.omnispark.trainer.train.Optimizers;
import org.omnispark.trainer.train.TrainingState;

/**
 * A checkpoint written by 4 ranks loads into 2 ranks, whose checkpoint loads into one process, whose checkpoint loads
 * into 2 ranks again: parameters and Adam state (weights and moments of every expert, by global id) are identical,
 * bit for bit, at every hop. Each hop starts from a model with another seed, so nothing matches by accident.
 */
class ReshardingTest {

    private static final ModelConfig MODEL = TinyDatasets.modelWithoutDropout("omni",
            "encoder_conf.ffn.num_experts=4");

    private static TrainConfig train(long seed) {
        return TinyDatasets.train("seed=" + seed);
    }

    /** One hop on N ranks (N = 0: one process without the mesh): restore {@code from} (or perturb), save to {@code to}. */
    private static void hop(int ranks, Path data, long seed, Path from, Path to) throws Exception {
        if (ranks == 0) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                U2Model model = ModelDirectory.describe(to, MODEL, train(seed), data).newModel(m);
                Optimizer optimizer = Optimizers.create(train(seed), model.parameters());
                TrainingState state = CheckpointManager.restore(from, model.parameters(), optimizer).state();
                CheckpointManager.builder().setDirectory(to).build().save(model.parameters(), optimizer, state, null);
            }
            return;
        }
        InProcessRanks.run(ranks, 60_000, mesh -> {
            MeshParallelism parallelism = new MeshParallelism(mesh, 4);
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                U2Model model = ModelDirectory.describe(to, MODEL, train(seed), data).newModel(m, parallelism);
                List<ModelParameter> parameters = model.parameters();
                Optimizer optimizer = Optimizers.create(train(seed), parameters);
                ExpertCheckpoints shards = new ExpertCheckpoints(parallelism, parameters, optimizer);
                TrainingState state;
                if (from == null) { // the first writer: Adam moments that differ per tensor and rank slice
                    int i = 0;
                    for (NDArray t : optimizer.stateTensors().values()) {
                        t.set(new NDIndex("..."), m.randomUniform(0, 1, t.getShape(), DataType.FLOAT32).add(i++));
                    }
                    state = new TrainingState(7, 0, 7, seed, 7);
                } else {
                    try (NDManager scope = m.newSubManager()) {
                        state = shards.restore(from, scope).state();
                    }
                }
                try (NDManager scope = m.newSubManager()) {
                    shards.save(CheckpointManager.builder().setDirectory(to).build(), scope, state, null);
                }
            }
            return 0;
        });
    }

    private static Map<String, float[]> contents(Path checkpoints, Path data) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model model = ModelDirectory.describe(checkpoints, MODEL, train(99), data).newModel(m);
            Optimizer optimizer = Optimizers.create(train(99), model.parameters());
            Path latest = CheckpointManager.builder().setDirectory(checkpoints).build().latest().orElseThrow();
            CheckpointManager.restore(latest, model.parameters(), optimizer);
            Map<String, float[]> values = new LinkedHashMap<>();
            for (ModelParameter p : model.parameters()) {
                values.put(p.name(), p.array().toFloatArray());
            }
            optimizer.stateTensors().forEach((k, v) -> values.put(k, v.toFloatArray()));
            return values;
        }
    }

    @Test
    void fourToTwoToOneToTwoRanksKeepEveryBit() throws Exception {
        Path data = TinyDatasets.dataset(24);
        Path tmp = Files.createTempDirectory("omnispark-reshard");
        hop(4, data, 1, null, tmp.resolve("by4"));
        Path latest4 = CheckpointManager.builder().setDirectory(tmp.resolve("by4")).build().latest().orElseThrow();
        hop(2, data, 2, latest4, tmp.resolve("by2"));
        Path latest2 = CheckpointManager.builder().setDirectory(tmp.resolve("by2")).build().latest().orElseThrow();
        hop(0, data, 3, latest2, tmp.resolve("by1"));
        Path latest1 = CheckpointManager.builder().setDirectory(tmp.resolve("by1")).build().latest().orElseThrow();
        hop(2, data, 4, latest1, tmp.resolve("by2again"));
        Map<String, float[]> original = contents(tmp.resolve("by4"), data);
        for (String hop : List.of("by2", "by1", "by2again")) {
            Map<String, float[]> copy = contents(tmp.resolve(hop), data);
            assertEquals(original.keySet(), copy.keySet());
            for (String name : original.keySet()) {
                assertArrayEquals(original.get(name), copy.get(name), name + " after " + hop);
            }
        }
        assertEquals(7, CheckpointManager.readIndex(CheckpointManager.builder().setDirectory(tmp.resolve("by2again"))
                .build().latest().orElseThrow()).path("training_state").path("step").asLong(),
                "the training state travels too");
    }
}
