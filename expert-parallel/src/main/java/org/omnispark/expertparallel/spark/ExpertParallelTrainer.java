package org.omnispark.expertparallel.spark;

import java.io.PrintStream;
import java.io.Serializable;
import org.omnispark.io.Location;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.expertparallel.transport.PortRange;
import org.omnispark.trainer.config.FfnConf;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.BatchSource;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.loop.TrainingBuilder;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.parallel.ExpertPlacement;
import org.omnispark.trainer.infra.CheckpointManager;
import scala.reflect.ClassTag$;

/**
 * Trains one model with its experts spread over N ranks: the driver runs one Spark barrier stage of N tasks, each a
 * rank ({@link RankTask}) running the ordinary {@code Trainer} with an expert-parallel process group. The output
 * folder is the single-process trainer's (model.json, checkpoints/, metrics.jsonl, tensorboard/), so {@code eval}
 * and a resume on any number of ranks read it unchanged; it must be on a file system every executor sees.
 *
 * <pre>{@code
 * TrainSummary s = ExpertParallelTrainer.builder().setSpark(spark).setRanks(4)
 *         .setModelConfig(model).setTrainConfig(train).setTrainData(data).setOutput(out).build().run();
 * }</pre>
 *
 * <p>Before submitting, it checks what would otherwise fail inside the job or hang it: the placement of the experts,
 * dynamic allocation (barrier mode refuses it), free task slots, and enough shards for every rank. On a cluster the
 * barrier stage gets its own stage-level resource profile ({@link TrainingResources}: the cores and GPU of a rank),
 * so the application's defaults can stay at one core per task for every other stage. The stage ends in
 * a shuffle, so that Spark retries it when a rank fails (a failed barrier ResultStage is not retried); a retried
 * stage resumes from the newest checkpoint. While it runs, the driver prints the progress lines rank 0 writes to
 * metrics.jsonl.
 */
public final class ExpertParallelTrainer {

    private final SparkSession spark;
    private final int ranks;
    private final ModelConfig modelConfig;
    private final TrainConfig trainConfig;
    private final Location trainData;
    private final Location validData;
    private final Location output;
    private final PrintStream console;
    private final BatchSource batchSource;
    private TrainingResources resources; // set by checkCluster

    private ExpertParallelTrainer(Builder b) {
        this.spark = b.spark;
        this.ranks = b.ranks;
        this.modelConfig = b.modelConfig();
        this.trainConfig = b.trainConfig();
        this.trainData = b.trainData();
        this.validData = b.validData();
        this.output = b.output();
        this.console = b.console();
        this.batchSource = b.batchSource();
    }

    /** @return a builder; setSpark, setRanks, setModelConfig, setTrainConfig, setTrainData, setOutput are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The number of experts per MoE layer, after checking that they can be placed on {@code ranks} in
     * expert-parallel groups of {@code expert_parallel.expert_parallel_size}.
     *
     * @param config the model config
     * @param train the training config (its expert-parallel group size)
     * @param ranks N
     * @return E
     * @throws IllegalArgumentException for a dense model, stacks with different E, or a placement that does not divide
     */
    public static int numExperts(ModelConfig config, TrainConfig train, int ranks) {
        List<Integer> experts = new ArrayList<>();
        for (FfnConf ffn : List.of(config.encoderConf().ffn(), config.decoderConf().ffn())) {
            if (ffn.isMoe()) {
                experts.add(ffn.numExperts());
            }
        }
        if (experts.isEmpty()) {
            throw new IllegalArgumentException("expert parallelism needs an MoE model (encoder_conf.ffn.type switch or"
                    + " omni); a dense model trains with plain 'train' (without --ranks)");
        }
        if (experts.stream().distinct().count() > 1) {
            throw new IllegalArgumentException("the encoder and decoder MoE stacks have " + experts + " experts; "
                    + "expert parallelism places one number of experts per layer: make them equal");
        }
        ExpertPlacement.resolve(experts.get(0), ranks, train.expertParallel().expertParallelSize());
        return experts.get(0);
    }

    /**
     * Checks the cluster and the data, runs the barrier stage, and returns rank 0's summary.
     *
     * @return what the run did (losses from rank 0, which are global: summed over ranks)
     */
    public TrainSummary run() {
        int experts = numExperts(modelConfig, trainConfig, ranks);
        checkCluster();
        int shards = DatasetManifest.read(trainData.toString(), spark.sparkContext().hadoopConfiguration())
                .shards().size();
        if (batchSource == null && shards < ranks) {
            throw new IllegalArgumentException("the training set has " + shards + " shards for " + ranks + " ranks: "
                    + "re-run prepare with output.num_shards >= " + ranks + " (a multiple of the ranks is best)");
        }
        CheckpointManager checkpoints = CheckpointManager.builder()
                .setDirectory(ModelDirectory.checkpointDirectory(output, trainConfig))
                .optConfiguration(spark.sparkContext().hadoopConfiguration()).build();
        long startStep = checkpoints.latest().map(CheckpointManager::stepOf).orElse(0L);
        long begin = System.nanoTime();
        int attempts = trainConfig.expertParallel().maxAttempts();
        double backoff = trainConfig.expertParallel().retryBackoffSeconds();
        RankResult[] results;
        String runId = spark.sparkContext().applicationId() + "/" + java.util.UUID.randomUUID();
        for (int attempt = 1; ; attempt++) {
            try {
                results = runJob(experts, runId, attempt);
                break;
            } catch (JobFailed e) { // the stage failed every one of Spark's own attempts
                if (attempt >= attempts) {
                    throw new IllegalStateException("expert-parallel training failed " + attempts + " times "
                            + "(expert_parallel.max_attempts); the last error: " + e.getMessage(), e.getCause());
                }
                String from = checkpoints.latest().map(org.apache.hadoop.fs.Path::getName).orElse("the start");
                log("training run " + attempt + " of " + attempts + " failed: " + e.getMessage() + "; retrying in "
                        + backoff + " s from " + from);
                sleep(backoff);
                backoff *= 2;
            }
        }
        RankResult first = RankResult.rankZero(results);
        log(RankResult.connections(results));
        org.apache.hadoop.fs.Path last = checkpoints.latest().orElse(null);
        return new TrainSummary(startStep, first.finalStep(), first.epoch(), first.losses(), List.of(), last,
                (System.nanoTime() - begin) / 1e9);
    }

    /** One run of the barrier stage; each run has its own job secret (so its own connection keys). */
    private RankResult[] runJob(int experts, String runId, int attempt) {
        byte[] secret = new byte[32]; // this run's; each stage attempt derives its own key from it
        new SecureRandom().nextBytes(secret);
        RankProgress progress = console == null ? null : RankProgress.start(spark.sparkContext(), console);
        RankTask task = new RankTask(modelConfig, trainConfig, trainData, validData, output, secret,
                batchSource, runId, attempt, progress == null ? null : progress.accumulator());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ids = IntStream.range(0, ranks).boxed().toList();
        spark.sparkContext().setJobDescription("OmniSpark expert-parallel training: " + ranks + " ranks, " + experts
                + " experts per layer");
        try (progress; RankFailures failures = new RankFailures(spark.sparkContext())) {
            RDD<RankResult> trained = jsc.parallelize(ids, ranks).rdd().barrier()
                    .mapPartitions(task, false, ClassTag$.MODULE$.apply(RankResult.class));
            if (resources.useProfile()) { // this stage's cores and GPU per rank; the other stages keep the defaults
                trained = trained.withResources(resources.profile());
            }
            // End the barrier stage in a shuffle: Spark retries a failed barrier ShuffleMapStage, not a ResultStage.
            try {
                return (RankResult[]) trained.repartition(1, null).collect();
            } catch (Exception e) { // a SparkException, checked in Java's eyes
                throw new JobFailed(firstLine(e) + failures.cause().map(c -> "; the cause, " + c).orElse(""), e);
            }
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
    }

    /** The training job failed; the message names the first rank's own error when the listener saw it. */
    private static final class JobFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JobFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void log(String line) {
        if (console != null) {
            console.println(line);
        }
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void sleep(double seconds) {
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry the training job", e);
        }
    }

    private void checkCluster() {
        SparkContext sc = spark.sparkContext();
        PortRange.parse(sc.conf().get(PortRange.PROPERTY, null)); // a typo fails here, not on every executor
        resources = TrainingResources.of(sc.conf(), trainConfig.device().equals("gpu"));
        if (sc.conf().getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new IllegalStateException("Spark's barrier mode refuses dynamic allocation, and expert-parallel "
                    + "training runs in a barrier stage: set spark.dynamicAllocation.enabled=false and ask for "
                    + ranks + " task slots (e.g. --num-executors " + ranks + " --executor-cores 1)");
        }
        long deadline = System.currentTimeMillis() + 60_000;
        int slots = slots(sc);
        while (slots < ranks && !sc.isLocal() && System.currentTimeMillis() < deadline) {
            sleep(); // executors of a cluster register after the session starts
            slots = slots(sc);
        }
        if (slots < ranks) {
            throw new IllegalStateException(ranks + " ranks need " + ranks + " free task slots at once (a barrier "
                    + "stage starts all its tasks together), but this Spark has " + slots + " (master " + sc.master()
                    + ", " + resources + "): use local[" + ranks + "] or more, add executors or cores, "
                    + "or train on fewer ranks");
        }
    }

    /** Ranks that can run at once: cores / cores per rank, and on GPUs at most one per executor GPU. */
    private int slots(SparkContext sc) {
        int byCores = sc.defaultParallelism() / resources.cpusPerRank();
        if (!resources.gpuPerRank() || sc.isLocal()) {
            return byCores;
        }
        int executors = Math.max(0, sc.statusTracker().getExecutorInfos().length - 1); // minus the driver
        return Math.min(byCores, executors * resources.ranksPerExecutor());
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for executors", e);
        }
    }

    static String json(Object config) {
        return ModelDirectory.configTree(config).toString();
    }

    /** Builder of {@link ExpertParallelTrainer}. */
    public static final class Builder extends TrainingBuilder<Builder> {

        @Override
        protected Builder self() {
            return this;
        }
        private SparkSession spark;
        private int ranks;

        /** @param spark the session whose executors run the ranks @return this */
        public Builder setSpark(SparkSession spark) {
            this.spark = spark;
            return this;
        }

        /** @param ranks N, one task (and one rank) per GPU or CPU slot @return this */
        public Builder setRanks(int ranks) {
            this.ranks = ranks;
            return this;
        }











        /** @return the trainer */
        public ExpertParallelTrainer build() {
            checkRequired("ExpertParallelTrainer");
            if (spark == null) {
                throw new IllegalStateException("ExpertParallelTrainer needs setSpark: the session whose executors "
                        + "run the ranks");
            }
            if (ranks < 1) {
                throw new IllegalStateException("setRanks needs at least 1 rank, got " + ranks);
            }
            if (batchSource() != null && !(batchSource() instanceof Serializable)) {
                throw new IllegalStateException("a batch source travels to the executors: make it Serializable");
            }
            return new ExpertParallelTrainer(this);
        }
    }
}
