package org.omnispark.expertparallel.spark;

import java.io.PrintStream;
import org.omnispark.io.Location;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.cli.SparkSessions;
import org.omnispark.trainer.cli.ExpertParallelLauncher;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.TrainSummary;

/**
 * {@code omnispark train --ranks N}: an embedded {@code local[N]} Spark unless the job runs under spark-submit or
 * {@code --master} (then the cluster's executors run the ranks), and {@link ExpertParallelTrainer}.
 */
public final class SparkExpertParallelLauncher implements ExpertParallelLauncher {

    @Override
    public TrainSummary train(int ranks, ModelConfig model, TrainConfig train, Location data, Location valid,
            Location out,
            PrintStream console) {
        boolean chosen = System.getenv("OMNISPARK_MASTER") != null || System.getProperty("spark.master") != null;
        SparkSession spark = SparkSessions.getOrCreate("omnispark-train-" + ranks + "-ranks",
                chosen ? null : "local[" + ranks + "]");
        console.println("expert-parallel training: " + ranks + " ranks on " + spark.sparkContext().master());
        TrainConfig.Batch share = train.batch().perRank(ranks);
        console.println("batch: global limits " + train.batch().maxBatchSize() + " utterances / "
                + train.batch().maxFramesPerBatch() + " padded frames per micro-batch, " + share.maxBatchSize()
                + " / " + share.maxFramesPerBatch() + " per rank: as many samples per step as one process");
        return ExpertParallelTrainer.builder().setSpark(spark).setRanks(ranks).setModelConfig(model)
                .setTrainConfig(train).setTrainData(data).optValidData(valid).setOutput(out).optConsole(console)
                .build().run();
    }
}
