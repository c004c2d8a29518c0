package org.omnispark.parallel.spark;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.loop.Trainer;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * Training-step time of expert-parallel runs against the single-process trainer on the same global batches, in one
 * run: the single process, then 1, 2 and 4 ranks (a barrier stage on local[N]; ranks are threads of this JVM with
 * real loopback sockets; libtorch threads per rank = cores / ranks). Reports the median step time after warm-up,
 * frames per second, and the median per-rank split (rank 0) of the step into compute, dispatch, combine, all-reduce
 * and waiting.
 *
 * <pre>
 *   java -cp CLASSPATH org.omnispark.parallel.spark.StepTimeBenchmark MODEL STEPS GLOBAL_BATCH [RANKS...]
 *   e.g. ... StepTimeBenchmark tiny_omni 14 8 1 2 4
 * </pre>
 */
public final class StepTimeBenchmark {

    private static final int WARMUP = 4;

    private StepTimeBenchmark() {}

    public static void main(String[] args) throws Exception {
        String modelName = args[0];
        int steps = Integer.parseInt(args[1]);
        int global = Integer.parseInt(args[2]);
        int[] rankCounts = args.length > 3 ? Arrays.stream(args, 3, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 2, 4};
        Path data = TinyDatasets.dataset(global * steps);
        ModelConfig model = ModelConfig.load(TinyDatasets.repoRoot().resolve("conf/model/" + modelName + ".yaml"),
                List.of());
        TrainConfig train = TinyDatasets.train("max_steps=" + steps, "checkpoint.interval=100000",
                "expert_parallel.checksum_interval=0", "valid_interval=0");
        Path tmp = Files.createTempDirectory("omnispark-step-bench");
        System.out.printf(Locale.ROOT, "model %s, global batch %d utterances, %d steps (median of the last %d), "
                + "%d cores%n", modelName, global, steps, steps - WARMUP, Runtime.getRuntime().availableProcessors());
        System.out.println("| run | step (s) | frames/s | vs single process | rank 0: compute | dispatch | combine "
                + "| all-reduce | wait |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        Trainer.builder().setModelConfig(model).setTrainConfig(train).setTrainData(data)
                .setOutput(tmp.resolve("single")).optBatchSource(new FixedBatches(data, new int[] {global}, steps))
                .build().run();
        double single = report("single process", tmp.resolve("single"), 1, Double.NaN);
        // the same trainer on a fresh thread (as a Spark task runs), to tell the thread from the distribution
        Thread worker = new Thread(() -> {
            ai.djl.engine.Engine.getEngine("PyTorch");
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            ai.djl.pytorch.jni.JniUtils.setNumThreads(Runtime.getRuntime().availableProcessors());
            Trainer.builder().setModelConfig(model).setTrainConfig(train).setTrainData(data)
                    .setOutput(tmp.resolve("single-worker"))
                    .optBatchSource(new FixedBatches(data, new int[] {global}, steps)).build().run();
        });
        worker.start();
        worker.join();
        report("single process on a worker thread", tmp.resolve("single-worker"), 1, single);
        for (int ranks : rankCounts) {
            int[] sizes = new int[ranks];
            for (int r = 0; r < ranks; r++) {
                sizes[r] = global / ranks + (r < global % ranks ? 1 : 0);
            }
            SparkSession spark = SparkSession.builder().master("local[" + ranks + "]").appName("step-bench")
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                ExpertParallelTrainer.builder().setSpark(spark).setRanks(ranks).setModelConfig(model)
                        .setTrainConfig(train).setTrainData(data).setOutput(tmp.resolve("ep" + ranks))
                        .optBatchSource(new FixedBatches(data, sizes, steps)).build().run();
            } finally {
                spark.stop();
            }
            report(ranks + " rank" + (ranks > 1 ? "s" : "") + " (expert-parallel)", tmp.resolve("ep" + ranks), ranks,
                    single);
        }
    }

    private static double report(String name, Path out, int ranks, double single) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode node = ConfigLoader.json().readTree(line);
            if (node.has("loss")) {
                records.add(node);
            }
        }
        List<Double> stepTimes = new ArrayList<>();
        List<Double> frames = new ArrayList<>();
        double[][] split = new double[5][];
        String[] keys = {"compute_s", "dispatch_s", "combine_s", "allreduce_s", "wait_s"};
        for (int k = 0; k < keys.length; k++) {
            split[k] = new double[records.size() - WARMUP];
        }
        for (int i = WARMUP; i < records.size(); i++) {
            stepTimes.add(records.get(i).path("time").asDouble() - records.get(i - 1).path("time").asDouble());
            frames.add(records.get(i).path("tokens_per_s").asDouble());
            for (int k = 0; k < keys.length; k++) {
                split[k][i - WARMUP] = records.get(i).path("rank0/" + keys[k]).asDouble(Double.NaN);
            }
        }
        double step = median(stepTimes.stream().mapToDouble(Double::doubleValue).toArray());
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.0f | %s | %s | %s | %s | %s | %s |%n", name, step,
                median(frames.stream().mapToDouble(Double::doubleValue).toArray()),
                Double.isNaN(single) ? "1.00" : String.format(Locale.ROOT, "%.2fx time", step / single),
                ms(split[0]), ms(split[1]), ms(split[2]), ms(split[3]), ms(split[4]));
        return step;
    }

    private static String ms(double[] values) {
        double m = median(values);
        return Double.isNaN(m) ? "-" : String.format(Locale.ROOT, "%.3f", m);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }
}
