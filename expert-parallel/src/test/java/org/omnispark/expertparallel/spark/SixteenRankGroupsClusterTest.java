package org.omnispark.expertparallel.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.data.job.LocalClusterSpark;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * Sixteen ranks in four executor PROCESSES of four ranks each (local-cluster, every socket on loopback), in groups by
 * role: 8 experts, {@code expert_parallel.expert_parallel_size} 4, so four expert-parallel groups of four ranks (two
 * experts per rank) and four replica groups of four; each rank reports its connections: exactly its 6 group peers
 * (not 15) with a sender and a receiver thread each. And P = 1 (every rank holds every expert, one replica group of
 * 16 that all-gathers by doubling): 7 peers at distances +-1, 2, 4, 8. Three steps train like one process on the same global batches
 * (losses and every final parameter), capacity drops included.
 */
class SixteenRankGroupsClusterTest {

    static final int RANKS = 16;

    @org.junit.jupiter.params.ParameterizedTest(name = "expert_parallel_size {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {4, 1})
    @Timeout(900)
    void sixteenRanksInFourProcessesTrainLikeOneProcess(int groupSize) throws Exception {
        int steps = ExpertParallelTrainingTest.STEPS;
        Path data = TinyDatasets.dataset(RANKS * steps);
        int[] sizes = new int[RANKS];
        Arrays.fill(sizes, 1);
        FixedBatches batches = new FixedBatches(data, sizes, steps);
        ModelConfig model = ExpertParallelTrainingTest.model("omni", "encoder_conf.ffn.num_experts=8",
                "encoder_conf.ffn.top_k=2", "encoder_conf.ffn.capacity_factor=0.8");
        TrainConfig train = TinyDatasets.train("max_steps=" + steps, "warmup_steps=2", "eps=1.0e-6",
                "expert_parallel.checksum_interval=1", "checkpoint.interval=1000",
                "expert_parallel.expert_parallel_size=" + groupSize, "expert_parallel.threads_per_rank=1");
        Path tmp = Files.createTempDirectory("omnispark-ep-16");
        TrainSummary single = ExpertParallelTrainingTest.single(data, model, train, batches, tmp.resolve("single"));
        TrainSummary distributed;
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        java.io.PrintStream tee = new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                System.out.write(b);
                console.write(b);
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8);
        try (LocalClusterSpark cluster = LocalClusterSpark.builder().optWorkers(4).optCoresPerWorker(4)
                .optMemoryPerWorkerMb(2048).optAppName("ep-16-ranks")
                .optExecutorJavaOptions("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").build()) {
            distributed = ExpertParallelTrainer.builder().setSpark(cluster.spark()).setRanks(RANKS)
                    .setModelConfig(model).setTrainConfig(train).setTrainData(data).setOutput(tmp.resolve("ep"))
                    .optBatchSource(batches).optConsole(tee).build().run();
        }
        String printed = console.toString(java.nio.charset.StandardCharsets.UTF_8);
        for (int r = 0; r < RANKS; r++) {
            java.util.List<Integer> peers = new java.util.ArrayList<>();
            for (int q = 0; q < RANKS; q++) {
                int d = Math.floorMod(q - r, RANKS);
                boolean peer = groupSize == 4 ? q / 4 == r / 4 || q % 4 == r % 4 // its expert-parallel + replica group
                        : d == 1 || d == 2 || d == 4 || d == 8 || d == 12 || d == 14 || d == 15; // doubling: +-2^k
                if (q != r && peer) {
                    peers.add(q);
                }
            }
            String expected = "rank " + r + ": " + peers.size() + " peers " + peers + ", "
                    + (groupSize == 4 ? "12 link threads" : "");
            org.junit.jupiter.api.Assertions.assertTrue(printed.contains(expected), "expected '" + expected
                    + "' in the driver's output");
        }
        ExpertParallelTrainingTest.assertSameTraining(single, ExpertParallelTrainingTest.finalParameters(
                tmp.resolve("single")), distributed, ExpertParallelTrainingTest.finalParameters(tmp.resolve("ep")));
    }
}
