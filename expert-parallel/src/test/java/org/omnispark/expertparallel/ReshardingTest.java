package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.parallel.ExpertCheckpoints;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.infra.CheckpointManager;
import org.omnispark.trainer.infra.Optimizer;
import org.omnispark.trainer.infra.Optimizers;
import org.omnispark.trainer.infra.TrainingState;

/**
 * A checkpoint written by 4 ranks loads into 2 ranks, whose checkpoint loads into one process, whose checkpoint loads
 * into 2 ranks again: parameters and Adam state (weights and moments of every expert, by global id) are identical,
 * bit for bit, at every hop. Each hop starts from a model with another seed, so nothing matches by accident. {@link
 * HdfsCheckpointTest} runs the same hops on a real HDFS.
 */
class ReshardingTest {

    static final ModelConfig MODEL = TinyDatasets.modelWithoutDropout("omni", "encoder_conf.ffn.num_experts=4");

    private static TrainConfig train(long seed) {
        return TinyDatasets.train("seed=" + seed);
    }

    private static CheckpointManager manager(org.apache.hadoop.fs.Path dir, Configuration conf) {
        return CheckpointManager.builder().setDirectory(dir).optConfiguration(conf).build();
    }

    /**
     * One hop on N ranks (N = 0: one process without the mesh): restore {@code from} (or invent Adam moments), save
     * to {@code to}.
     */
    static void hop(int ranks, Path data, Path scratch, long seed, org.apache.hadoop.fs.Path from,
            org.apache.hadoop.fs.Path to, Configuration conf) throws Exception {
        if (ranks == 0) {
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                U2Model model = ModelDirectory.describe(scratch, MODEL, train(seed), data).newModel(m);
                Optimizer optimizer = Optimizers.create(train(seed), model.parameters());
                TrainingState state = manager(from.getParent(), conf).restore(from, model.parameters(), optimizer)
                        .state();
                new ExpertCheckpoints(ExpertParallelism.NONE, model.parameters(), optimizer).save(manager(to, conf),
                        state, null);
            }
            return;
        }
        InProcessRanks.run(ranks, 60_000, mesh -> {
            MeshParallelism parallelism = new MeshParallelism(mesh, 4);
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                U2Model model = ModelDirectory.describe(scratch, MODEL, train(seed), data).newModel(m, parallelism);
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
                    state = shards.restore(manager(from.getParent(), conf), from).state();
                }
                shards.save(manager(to, conf), state, null);
            }
            return 0;
        });
    }

    static Map<String, float[]> contents(org.apache.hadoop.fs.Path checkpoints, Path data, Path scratch,
            Configuration conf) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model model = ModelDirectory.describe(scratch, MODEL, train(99), data).newModel(m);
            Optimizer optimizer = Optimizers.create(train(99), model.parameters());
            CheckpointManager manager = manager(checkpoints, conf);
            manager.restore(manager.latest().orElseThrow(), model.parameters(), optimizer);
            Map<String, float[]> values = new LinkedHashMap<>();
            for (ModelParameter p : model.parameters()) {
                values.put(p.name(), p.array().toFloatArray());
            }
            optimizer.stateTensors().forEach((k, v) -> values.put(k, v.toFloatArray()));
            return values;
        }
    }

    /** The 4 -> 2 -> 1 -> 2 hops under {@code base}, compared tensor by tensor. */
    static void fourToTwoToOneToTwo(org.apache.hadoop.fs.Path base, Configuration conf) throws Exception {
        Path data = TinyDatasets.dataset(24);
        Path scratch = Files.createTempDirectory("omnispark-reshard");
        org.apache.hadoop.fs.Path by4 = new org.apache.hadoop.fs.Path(base, "by4");
        org.apache.hadoop.fs.Path by2 = new org.apache.hadoop.fs.Path(base, "by2");
        org.apache.hadoop.fs.Path by1 = new org.apache.hadoop.fs.Path(base, "by1");
        org.apache.hadoop.fs.Path by2again = new org.apache.hadoop.fs.Path(base, "by2again");
        hop(4, data, scratch, 1, null, by4, conf);
        hop(2, data, scratch, 2, manager(by4, conf).latest().orElseThrow(), by2, conf);
        hop(0, data, scratch, 3, manager(by2, conf).latest().orElseThrow(), by1, conf);
        hop(2, data, scratch, 4, manager(by1, conf).latest().orElseThrow(), by2again, conf);

        FileSystem fs = base.getFileSystem(conf);
        for (int rank = 0; rank < 4; rank++) { // 4 ranks, 4 experts: rank r wrote expert r of every MoE tensor
            String index = read(fs, new org.apache.hadoop.fs.Path(by4, "ckpt-7/part-" + rank + ".json"));
            assertTrue(index.contains("\"expert\" : " + rank), "part " + rank + " holds expert " + rank);
            for (int other = 0; other < 4; other++) {
                assertTrue(other == rank || !index.contains("\"expert\" : " + other), "and no other expert");
            }
        }
        assertEquals(4, manager(by4, conf).readIndex(manager(by4, conf).latest().orElseThrow()).path("world_size")
                .asInt());

        Map<String, float[]> original = contents(by4, data, scratch, conf);
        for (org.apache.hadoop.fs.Path hop : List.of(by2, by1, by2again)) {
            Map<String, float[]> copy = contents(hop, data, scratch, conf);
            assertEquals(original.keySet(), copy.keySet());
            for (String name : original.keySet()) {
                assertArrayEquals(original.get(name), copy.get(name), name + " after " + hop);
            }
        }
        assertEquals(7, manager(by2again, conf).readIndex(manager(by2again, conf).latest().orElseThrow())
                .path("training_state").path("step").asLong(), "the training state travels too");
    }

    private static String read(FileSystem fs, org.apache.hadoop.fs.Path file) throws IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void fourToTwoToOneToTwoRanksKeepEveryBit() throws Exception {
        Path tmp = Files.createTempDirectory("omnispark-reshard");
        fourToTwoToOneToTwo(CheckpointManager.localPath(tmp), new Configuration());
    }
}
