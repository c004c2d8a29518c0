package org.omnispark.expertparallel.spark;

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
 * Training-step time of expert-parallel runs against the single-process trainer on the same global batches: the runs
 * named on the command line, in order, in this JVM: {@code single} (the trainer on the main thread), {@code worker}
 * (the same on a fresh thread, as a Spark task runs), and N (N ranks: a barrier stage on local[N]; ranks are threads
 * of this JVM with real loopback sockets; libtorch threads per rank = cores / ranks). Reports the median step time
 * after warm-up, frames per second, the ratio to the first run, and the median per-rank split (rank 0) of the step
 * into compute, dispatch, combine, all-reduce and waiting. libtorch's OpenMP threads of an earlier run on another
 * thread slow the later ones down (measured: a fresh thread ran 15-60% slower than the main thread after the main
 * thread had trained), so compare N = 1 with the single process in separate JVMs.
 *
 * <pre>
 *   java -cp CLASSPATH org.omnispark.expertparallel.spark.StepTimeBenchmark MODEL STEPS GLOBAL_BATCH [RUNS...]
 *   e.g. ... StepTimeBenchmark tiny_omni 14 8 single 1 2 4      ... StepTimeBenchmark tiny_omni 14 8 1
 * </pre>
 */
public final class StepTimeBenchmark {

    private static final int WARMUP = 4;

    private StepTimeBenchmark() {}

    public static void main(String[] args) throws Exception {
        String modelName = args[0];
        int steps = Integer.parseInt(args[1]);
        int global = Integer.parseInt(args[2]);
        List<String> runs = args.length > 3 ? List.of(Arrays.copyOfRange(args, 3, args.length))
                : List.of("single", "worker", "1", "2", "4");
        Path data = TinyDatasets.dataset(global * steps);
        ModelConfig model = ModelConfig.load(TinyDatasets.repoRoot().resolve("conf/model/" + modelName + ".yaml"),
                List.of());
        TrainConfig train = TinyDatasets.train("max_steps=" + steps, "checkpoint.interval=100000",
                "expert_parallel.checksum_interval=0", "valid_interval=0");
        Path tmp = Files.createTempDirectory("omnispark-step-bench");
        System.out.printf(Locale.ROOT, "model %s, global batch %d utterances, %d steps (median of the last %d), "
                + "%d cores%n", modelName, global, steps, steps - WARMUP, Runtime.getRuntime().availableProcessors());
        System.out.println("| run | step (s) | frames/s | vs first row | rank 0: compute | dispatch | combine "
                + "| all-reduce | wait |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        double first = Double.NaN;
        for (String run : runs) {
            double step;
            if (run.equals("single") || run.equals("worker")) {
                Path out = tmp.resolve(run);
                Runnable train1 = () -> Trainer.builder().setModelConfig(model).setTrainConfig(train)
                        .setTrainData(data).setOutput(out)
                        .optBatchSource(new FixedBatches(data, new int[] {global}, steps)).build().run();
                if (run.equals("single")) {
                    train1.run();
                } else { // the same trainer on a fresh thread (as a Spark task runs)
                    Thread worker = new Thread(() -> {
                        ai.djl.engine.Engine.getEngine("PyTorch");
                        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
                        ai.djl.pytorch.jni.JniUtils.setNumThreads(Runtime.getRuntime().availableProcessors());
                        train1.run();
                    });
                    worker.start();
                    worker.join();
                }
                step = report(run.equals("single") ? "single process" : "single process on a worker thread", out,
                        first);
            } else {
                int ranks = Integer.parseInt(run);
                int[] sizes = new int[ranks];
                for (int r = 0; r < ranks; r++) {
                    sizes[r] = global / ranks + (r < global % ranks ? 1 : 0);
                }
                SparkSession spark = SparkSession.builder().master("local[" + ranks + "]").appName("step-bench")
                        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                        .config("spark.ui.enabled", "false").getOrCreate();
                Path out = tmp.resolve("ep" + ranks);
                try {
                    ExpertParallelTrainer.builder().setSpark(spark).setRanks(ranks).setModelConfig(model)
                            .setTrainConfig(train).setTrainData(data).setOutput(out)
                            .optBatchSource(new FixedBatches(data, sizes, steps)).build().run();
                } finally {
                    spark.stop();
                }
                step = report(ranks + " rank" + (ranks > 1 ? "s" : "") + " (expert-parallel)", out, first);
            }
            first = Double.isNaN(first) ? step : first;
        }
    }

    private static double report(String name, Path out, double single) throws Exception {
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
