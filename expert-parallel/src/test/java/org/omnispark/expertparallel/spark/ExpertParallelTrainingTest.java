package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.loop.Trainer;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.infra.CheckpointManager;

/**
 * K steps of N-rank training (a barrier stage on local[N], ranks as threads of this JVM, real sockets) against K
 * steps of the single-process trainer on the same global batches: losses and every final parameter.
 *
 * <p>Tolerance: float32, and the two runs sum the same terms in different orders (per-rank partial gradients then an
 * all-reduce; aux-loss shares), so values agree to rounding, about 1e-7 relative per operation. Adam divides by
 * sqrt(v) + eps, which turns a rounding difference in a near-zero gradient into a visible step; with eps = 1e-6 the
 * parameters after 3 steps must agree within 2e-5 absolute (lr = 2e-3: a tenth of a percent of one step's size).
 */
class ExpertParallelTrainingTest {

    static final int STEPS = 3;

    static ModelConfig model(String ffn, String... extra) {
        List<String> overrides = new java.util.ArrayList<>(List.of("spec_aug.num_t_mask=0", "spec_aug.num_f_mask=0",
                "encoder_conf.use_dynamic_chunk=false", "encoder_conf.ffn.num_experts=4"));
        overrides.addAll(List.of(extra));
        return TinyDatasets.modelWithoutDropout(ffn, overrides.toArray(new String[0]));
    }

    /** The tests' training config: {@link #STEPS} steps, replicas compared after every step, plus {@code extra}. */
    static TrainConfig train(String... extra) {
        List<String> overrides = new java.util.ArrayList<>(List.of("max_steps=" + STEPS, "warmup_steps=2",
                "eps=1.0e-6", "expert_parallel.checksum_interval=1", "checkpoint.interval=1000"));
        overrides.addAll(List.of(extra));
        return TinyDatasets.train(overrides.toArray(new String[0]));
    }

    /** Trains {@code ranks} ranks as a barrier stage on a local[ranks] session of its own (stopped after). */
    static TrainSummary distributed(int ranks, Path data, ModelConfig model, TrainConfig train, FixedBatches batches,
            Path out) {
        SparkSession spark = SparkSession.builder().master("local[" + ranks + "]").appName("ep-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            return ExpertParallelTrainer.builder().setSpark(spark).setRanks(ranks).setModelConfig(model)
                    .setTrainConfig(train).setTrainData(data).setOutput(out).optBatchSource(batches)
                    .optConsole(System.out).build().run();
        } finally {
            spark.stop();
        }
    }

    static Map<String, float[]> finalParameters(Path out) {
        ModelDirectory dir = ModelDirectory.read(out);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model model = dir.newModel(m);
            CheckpointManager checkpoints = CheckpointManager.builder().setDirectory(dir.checkpointDirectory()).build();
            checkpoints.restore(checkpoints.latest().orElseThrow(), model.parameters(), null);
            Map<String, float[]> values = new LinkedHashMap<>();
            for (ModelParameter p : model.parameters()) {
                values.put(p.name(), p.array().toFloatArray());
            }
            return values;
        }
    }

    /** @return the parameters the run started from (the seeded initialization) */
    static Map<String, float[]> initialParameters(Path out) {
        ModelDirectory dir = ModelDirectory.read(out);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, float[]> values = new LinkedHashMap<>();
            for (ModelParameter p : dir.newModel(m).parameters()) {
                values.put(p.name(), p.array().toFloatArray());
            }
            return values;
        }
    }

    static TrainSummary single(Path data, ModelConfig model, TrainConfig train, FixedBatches batches, Path out) {
        return Trainer.builder().setModelConfig(model).setTrainConfig(train).setTrainData(data).setOutput(out)
                .optBatchSource(batches).build().run();
    }

    static void assertSameTraining(TrainSummary single, Map<String, float[]> expected, TrainSummary distributed,
            Map<String, float[]> actual) {
        assertEquals(STEPS, distributed.finalStep());
        for (int i = 0; i < STEPS; i++) {
            double e = single.losses().get(i);
            assertEquals(e, distributed.losses().get(i), 1e-5 * Math.abs(e), "loss of step " + (i + 1));
        }
        assertEquals(expected.keySet(), actual.keySet());
        double worst = 0;
        String where = "";
        Map<String, Integer> beyond = new LinkedHashMap<>(); // elements beyond the tolerance, per parameter
        for (Map.Entry<String, float[]> entry : expected.entrySet()) {
            float[] a = actual.get(entry.getKey());
            float[] e = entry.getValue();
            for (int i = 0; i < e.length; i++) {
                double diff = Math.abs(e[i] - a[i]);
                if (diff > 2e-5) {
                    beyond.merge(entry.getKey() + " of " + e.length, 1, Integer::sum);
                }
                if (diff > worst) {
                    worst = diff;
                    where = entry.getKey() + "[" + i + "]";
                }
            }
        }
        System.out.println("largest parameter difference after " + STEPS + " steps: " + worst + " at " + where);
        assertTrue(worst <= 2e-5, "largest parameter difference " + worst + " at " + where + "; elements beyond 2e-5: "
                + beyond);
    }

    @ParameterizedTest(name = "{0} ranks, {1}, {2}")
    @CsvSource({"2, omni, encoder_conf.ffn.top_k=1", "4, switch, encoder_conf.ffn.top_k=2",
            "2, switch, encoder_conf.ffn.capacity_factor=1.0", "4, omni, encoder_conf.ffn.capacity_factor=0.75"})
    @Timeout(600)
    void nRanksTrainLikeOneProcess(int ranks, String ffn, String option) throws IOException {
        Path data = TinyDatasets.dataset(24);
        int[] sizes = ranks == 2 ? new int[] {3, 2} : new int[] {2, 1, 1, 2};
        FixedBatches batches = new FixedBatches(data, sizes, STEPS);
        ModelConfig model = model(ffn, option);
        TrainConfig train = train();
        Path tmp = Files.createTempDirectory("omnispark-ep");
        TrainSummary single = single(data, model, train, batches, tmp.resolve("single"));
        TrainSummary distributed = distributed(ranks, data, model, train, batches, tmp.resolve("ep"));
        assertSameTraining(single, finalParameters(tmp.resolve("single")), distributed,
                finalParameters(tmp.resolve("ep")));
    }

    /**
     * Groups by role through the whole Spark job: {@code expert_parallel.expert_parallel_size} P splits N = 4 ranks
     * into expert-parallel groups of P (each rank connected only to its groups) and the result is still the single
     * process's: P = 2 (two groups of two ranks, two experts per rank, capacity drops in world order), P = 1 (no
     * all-to-all: every rank holds every expert, pure data parallelism over replica groups of 4).
     */
    @ParameterizedTest(name = "4 ranks, P = {0}, {1}, {2}")
    @CsvSource({"2, omni, encoder_conf.ffn.capacity_factor=0.75", "2, switch, encoder_conf.ffn.capacity_factor=0.75",
            "2, omni, encoder_conf.ffn.top_k=1", "2, switch, encoder_conf.ffn.top_k=2", "1, omni, encoder_conf.ffn.top_k=1"})
    @Timeout(600)
    void expertParallelGroupsTrainLikeOneProcess(int groupSize, String ffn, String option) throws IOException {
        Path data = TinyDatasets.dataset(24);
        FixedBatches batches = new FixedBatches(data, new int[] {2, 1, 1, 2}, STEPS);
        ModelConfig model = model(ffn, option);
        TrainConfig train = train("expert_parallel.expert_parallel_size=" + groupSize);
        Path tmp = Files.createTempDirectory("omnispark-ep-groups");
        TrainSummary single = single(data, model, train, batches, tmp.resolve("single"));
        TrainSummary distributed = distributed(4, data, model, train, batches, tmp.resolve("ep"));
        assertSameTraining(single, finalParameters(tmp.resolve("single")), distributed,
                finalParameters(tmp.resolve("ep")));
    }
}
