package org.omnispark.expertparallel;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.Losses;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * The cost of the distributed code path itself: forward + backward of one batch through the single-process model
 * (one plain backward) against the same model on ONE rank of the expert-parallel path (mesh of one, all-to-all
 * dispatcher, staged backward), both on a worker thread (as a Spark task runs) with the same libtorch intra-op
 * threads, alternating, median of 8 after 3 warm-ups.
 *
 * <pre>
 *   java -cp CLASSPATH org.omnispark.expertparallel.DistributedPathBenchmark MODEL BATCH ROUNDS   (e.g. tiny_omni 8 2)
 * </pre>
 */
public final class DistributedPathBenchmark {

    private DistributedPathBenchmark() {}

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int batchSize = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Engine.getEngine("PyTorch");
        Path data = TinyDatasets.dataset(24);
        ModelConfig config = ModelConfig.load(TinyDatasets.repoRoot().resolve("conf/model/" + name + ".yaml"),
                List.of());
        List<Utterance> batch = BucketedBatches.builder().setDataset(data).optMaxBatchSize(batchSize)
                .optMaxFramesPerBatch(Integer.MAX_VALUE).build().iterator().next();
        System.out.printf(Locale.ROOT, "model %s, batch %d utterances%n", name, batch.size());
        System.out.println("| intra-op threads | single-process path (ms) | 1-rank distributed path (ms) | ratio |");
        System.out.println("|---|---|---|---|");
        for (int round = 0; round < rounds; round++) {
            for (int threads : new int[] {1, 2}) {
                double single = InProcessRanks.run(1, 600_000, mesh -> {
                    JniUtils.setNumThreads(threads);
                    return time(config, data, batch, ExpertParallelism.NONE);
                }).get(0);
                double distributed = InProcessRanks.run(1, 600_000, mesh -> {
                    JniUtils.setNumThreads(threads);
                    return time(config, data, batch, new MeshParallelism(mesh, numExperts(config)));
                }).get(0);
                System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.3f |%n", threads, single, distributed,
                        distributed / single);
            }
        }
    }

    private static int numExperts(ModelConfig config) {
        return config.encoderConf().ffn().numExperts();
    }

    private static double time(ModelConfig config, Path data, List<Utterance> utterances,
            ExpertParallelism parallelism) {
        ModelDirectory dir = ModelDirectory.describe(Path.of("unused"), config, TinyDatasets.train(), data);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model model = dir.newModel(m, parallelism);
            double[] times = new double[8];
            for (int i = -3; i < times.length; i++) {
                try (NDManager scope = m.newSubManager()) {
                    Batch batch = new BatchCollator(config.inputDim()).collate(scope, utterances);
                    long begin = System.nanoTime();
                    JniUtils.setGradMode(true);
                    if (parallelism.isDistributed()) {
                        try (StagedBackward tape = StagedBackward.begin()) {
                            tape.backward(model.forward(batch, true, 1).total());
                        }
                    } else {
                        Losses out = model.forward(batch, true, 1);
                        JniUtils.backward((PtNDArray) out.total(), (PtNDArray) out.total().onesLike(), false, false);
                    }
                    JniUtils.setGradMode(false);
                    if (i >= 0) {
                        times[i] = (System.nanoTime() - begin) / 1e6;
                    }
                }
            }
            Arrays.sort(times);
            return times[times.length / 2];
        }
    }
}
