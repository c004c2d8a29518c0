package org.omnispark.expertparallel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.omnispark.data.hdfs.MiniHdfs;
import org.omnispark.expertparallel.ReshardingTestAccess;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.infra.CheckpointManager;

/**
 * Distributed checkpoints on a real HDFS (MiniDFSCluster on loopback): two ranks train with {@code checkpoint.dir}
 * on HDFS and end like one process; their checkpoints are read back from HDFS by the model-folder reader that
 * {@code eval} uses; and the 4 -> 2 -> 1 -> 2 resharding hops keep every bit with every file on HDFS.
 */
class HdfsCheckpointTest {

    private static MiniHdfs hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = MiniHdfs.start();
    }

    @AfterAll
    static void stopHdfs() throws Exception {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Test
    @Timeout(600)
    void twoRanksCheckpointToHdfsAndTrainLikeOneProcess() throws Exception {
        Path data = TinyDatasets.dataset(24);
        FixedBatches batches = new FixedBatches(data, new int[] {3, 2}, ExpertParallelTrainingTest.STEPS);
        ModelConfig model = ExpertParallelTrainingTest.model("omni", "encoder_conf.ffn.top_k=1");
        TrainConfig local = ExpertParallelTrainingTest.train();
        String remote = hdfs.uri() + "/runs/ep/checkpoints";
        TrainConfig onHdfs = TinyDatasets.train("max_steps=" + ExpertParallelTrainingTest.STEPS, "warmup_steps=2",
                "eps=1.0e-6", "expert_parallel.checksum_interval=1", "checkpoint.interval=2", "checkpoint.keep=2",
                "checkpoint.dir=" + remote);
        Path tmp = Files.createTempDirectory("omnispark-ep-hdfs");
        TrainSummary single = ExpertParallelTrainingTest.single(data, model, local, batches, tmp.resolve("single"));
        SparkSession spark = SparkSession.builder().master("local[2]").appName("ep-hdfs-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        TrainSummary distributed;
        try {
            distributed = ExpertParallelTrainer.builder().setSpark(spark).setRanks(2).setModelConfig(model)
                    .setTrainConfig(onHdfs).setTrainData(data).setOutput(tmp.resolve("ep")).optBatchSource(batches)
                    .build().run();
        } finally {
            spark.stop();
        }
        FileSystem fs = hdfs.fileSystem();
        String last = "/runs/ep/checkpoints/ckpt-" + ExpertParallelTrainingTest.STEPS;
        for (String file : List.of("part-0.bin", "part-0.json", "part-1.bin", "part-1.json", "checkpoint.json")) {
            assertTrue(fs.exists(hdfs.path(last + "/" + file)), file + " of the last checkpoint is on HDFS");
        }
        assertEquals(2, CheckpointManager.builder().setDirectory(remote).optConfiguration(hdfs.configuration())
                .build().list().size(), "checkpoint.keep=2: older ones pruned on HDFS");
        assertFalse(Files.exists(tmp.resolve("ep/checkpoints")), "nothing was checkpointed to the local folder");
        assertEquals(hdfs.uri() + last, distributed.lastCheckpoint().toString());
        // finalParameters reads the model folder as eval does: its train config points at HDFS
        ExpertParallelTrainingTest.assertSameTraining(single,
                ExpertParallelTrainingTest.finalParameters(tmp.resolve("single")), distributed,
                ExpertParallelTrainingTest.finalParameters(tmp.resolve("ep")));
    }

    @Test
    @Timeout(600)
    void reshardingKeepsEveryBitOnHdfs() throws Exception {
        ReshardingTestAccess.fourToTwoToOneToTwo(hdfs.path("/reshard"), hdfs.configuration());
    }
}
