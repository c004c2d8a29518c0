package org.omnispark.expertparallel.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.data.job.LocalClusterSpark;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * Two ranks in two executor PROCESSES (local-cluster: a Master and two Workers in this JVM, each Worker starting an
 * executor JVM; every socket on loopback): the ranks meet through BarrierTaskContext.allGather over Spark's RPC, open
 * their mesh across processes and train like one process on the same global batches.
 */
class ExpertParallelClusterTest {

    @Test
    @Timeout(600)
    void twoExecutorProcessesTrainLikeOneProcess() throws Exception {
        Path data = TinyDatasets.dataset(24);
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, 3);
        ModelConfig model = ExpertParallelTrainingTest.model("switch", "encoder_conf.ffn.top_k=2");
        TrainConfig train = ExpertParallelTrainingTest.train();
        Path tmp = Files.createTempDirectory("omnispark-ep-cluster");
        TrainSummary single = ExpertParallelTrainingTest.single(data, model, train, batches, tmp.resolve("single"));
        TrainSummary distributed;
        try (LocalClusterSpark cluster = LocalClusterSpark.builder().optWorkers(2).optCoresPerWorker(1)
                .optMemoryPerWorkerMb(2048).optAppName("ep-cluster-test")
                .optExecutorJavaOptions("-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").build()) {
            distributed = ExpertParallelTrainer.builder().setSpark(cluster.spark()).setRanks(2).setModelConfig(model)
                    .setTrainConfig(train).setTrainData(data).setOutput(tmp.resolve("ep")).optBatchSource(batches)
                    .optConsole(System.out).build().run();
        }
        ExpertParallelTrainingTest.assertSameTraining(single, ExpertParallelTrainingTest.finalParameters(
                tmp.resolve("single")), distributed, ExpertParallelTrainingTest.finalParameters(tmp.resolve("ep")));
    }
}
