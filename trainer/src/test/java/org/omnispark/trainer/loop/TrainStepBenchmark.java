package org.omnispark.trainer.loop;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.ParameterCount;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.infra.GradientClipping;
import org.omnispark.trainer.infra.Optimizer;
import org.omnispark.trainer.infra.Optimizers;

/**
 * Training-step time of dense vs Switch vs Omni-router U2++ models with equal ACTIVE parameters (top-1 experts of the
 * dense FFN's size), on one fixed random batch: forward + backward + clipping + AdamW step, median of N steps after 2
 * warm-up steps.
 *
 * <pre>
 *   mvn -B -o -q -pl trainer -Domnispark.build.dir=target-NAME test-compile
 *   java -cp "$(cat cp.txt):trainer/target-NAME/classes:trainer/target-NAME/test-classes" \
 *       org.omnispark.trainer.loop.TrainStepBenchmark [tiny|small] [steps] [batch] [frames]
 * </pre>
 */
public final class TrainStepBenchmark {

    private TrainStepBenchmark() {}

    /** @param args scale (tiny | small, default tiny), steps (5), batch size (8), frames per utterance (400) */
    public static void main(String[] args) {
        String scale = args.length > 0 ? args[0] : "tiny";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int frames = args.length > 3 ? Integer.parseInt(args[3]) : 400;
        int vocab = 100;
        Engine.getEngine("PyTorch");
        System.out.printf(Locale.ROOT, "scale %s, batch %d x %d frames x 80, V %d, %d steps after 2 warm-up, "
                + "%d libtorch threads%n", scale, batchSize, frames, vocab, steps,
                Runtime.getRuntime().availableProcessors());
        double dense = Double.NaN;
        for (String ffn : List.of("dense", "switch", "omni")) {
            ModelConfig config = ModelConfig.load(TinyDatasets.repoRoot().resolve("conf/model/" + scale + "_" + ffn
                    + ".yaml"), List.of());
            double[] phases = measure(config, vocab, steps, batchSize, frames);
            double median = phases[0];
            if (ffn.equals("dense")) {
                dense = median;
            }
            ParameterCount count = ParameterCount.of(config, vocab);
            System.out.printf(Locale.ROOT, "%-6s %s | step median %.1f ms | %s/dense %.2f%n", ffn, count.summary(),
                    median * 1e3, ffn, median / dense);
            System.out.printf(Locale.ROOT, "       phases (medians): forward %.1f ms, backward %.1f ms, clip %.1f ms,"
                    + " optimizer %.1f ms, zero grads %.1f ms%n", phases[1] * 1e3, phases[2] * 1e3, phases[3] * 1e3,
                    phases[4] * 1e3, phases[5] * 1e3);
        }
    }

    /** @return median seconds of: the whole step, forward, backward, clipping, optimizer step, zeroing */
    private static double[] measure(ModelConfig config, int vocab, int steps, int batchSize, int frames) {
        TrainConfig train = TrainConfig.load(null, List.of("warmup_steps=10"));
        try (NDManager root = NDManager.newBaseManager("PyTorch")) {
            U2Model model = U2Model.builder().setManager(root).setConfig(config).setVocabSize(vocab).build();
            List<ModelParameter> parameters = model.parameters();
            Optimizer optimizer = Optimizers.create(train, parameters);
            List<Utterance> utterances = randomUtterances(batchSize, frames, vocab);
            BatchCollator collator = new BatchCollator(config.inputDim());
            double[][] seconds = new double[6][steps];
            long[] marks = new long[6];
            for (int i = -2; i < steps; i++) {
                marks[0] = System.nanoTime();
                try (NDManager scope = root.newSubManager()) {
                    JniUtils.setGradMode(true);
                    Batch batch = collator.collate(scope, utterances);
                    NDArray loss = model.forward(batch, true, i + 2).total();
                    marks[1] = System.nanoTime();
                    JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
                    JniUtils.setGradMode(false);
                    marks[2] = System.nanoTime();
                    GradientClipping.clipGlobalNorm(parameters, 5.0);
                    marks[3] = System.nanoTime();
                    optimizer.step(1e-4);
                    marks[4] = System.nanoTime();
                    ParameterCollector.zeroGradients(parameters);
                    marks[5] = System.nanoTime();
                }
                if (i >= 0) {
                    seconds[0][i] = (System.nanoTime() - marks[0]) / 1e9;
                    for (int phase = 1; phase < 6; phase++) {
                        seconds[phase][i] = (marks[phase] - marks[phase - 1]) / 1e9;
                    }
                }
            }
            double[] medians = new double[6];
            for (int phase = 0; phase < 6; phase++) {
                Arrays.sort(seconds[phase]);
                medians[phase] = seconds[phase][steps / 2];
            }
            return medians;
        }
    }

    private static List<Utterance> randomUtterances(int batchSize, int frames, int vocab) {
        SplittableRandom random = new SplittableRandom(3);
        List<Utterance> list = new ArrayList<>();
        for (int b = 0; b < batchSize; b++) {
            int n = frames - 7 * b; // slightly different lengths, as in a bucketed batch
            float[] f = new float[n * 80];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) random.nextGaussian();
            }
            int[] ids = new int[n / 15];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 2 + random.nextInt(vocab - 3);
            }
            list.add(new Utterance("b" + b, f, n, 80, ids, "x", n / 100.0));
        }
        return list;
    }
}
