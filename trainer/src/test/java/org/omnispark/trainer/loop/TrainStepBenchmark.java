package org.omnispark.trainer.loop;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import org.omnispark.trainer.RepeatSpread;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.infra.GradientClipping;
import org.omnispark.trainer.infra.Optimizer;
import org.omnispark.trainer.infra.Optimizers;

/**
 * Training-step time of dense vs Switch vs Omni-router U2++ models with equal ACTIVE parameters (top-1 experts of the
 * dense FFN's size), on one fixed random batch: forward + backward + clipping + AdamW step. The three models are
 * built once and stepped INTERLEAVED (each repeat steps every model once, the order rotating from repeat to repeat),
 * after 2 warm-up rounds; each step's time is min / median / max over the repeats, and the ratio to dense is paired
 * per repeat.
 *
 * <pre>
 *   submit/omnispark bench step tiny 9      # [tiny|small|...] [repeats] [batch] [frames] [float32|bf16]
 * </pre>
 */
public final class TrainStepBenchmark {

    private static final String[] PHASES = {"step", "forward", "backward", "clip", "optimizer", "zero grads"};

    private TrainStepBenchmark() {}

    /** One model with its optimizer, and its seconds per phase and repeat. */
    private static final class Case implements AutoCloseable {
        final String name;
        final ModelConfig config;
        final NDManager root = NDManager.newBaseManager("PyTorch");
        final U2Model model;
        final List<ModelParameter> parameters;
        final Optimizer optimizer;
        final double[][] seconds;

        Case(String name, ModelConfig config, int vocab, int repeats) {
            this.name = name;
            this.config = config;
            model = U2Model.builder().setManager(root).setConfig(config).setVocabSize(vocab).build();
            parameters = model.parameters();
            optimizer = Optimizers.create(TrainConfig.load(null, List.of("warmup_steps=10")), parameters);
            seconds = new double[PHASES.length][repeats];
        }

        /** One training step; its phases' seconds go to repeat {@code i} unless it is a warm-up ({@code i < 0}). */
        void step(List<Utterance> utterances, int i, boolean bf16) {
            long[] marks = new long[PHASES.length];
            marks[0] = System.nanoTime();
            try (NDManager scope = root.newSubManager();
                    Autocast precision = bf16 ? Autocast.enable(DataType.BFLOAT16) : Autocast.disable()) {
                JniUtils.setGradMode(true);
                Batch batch = new BatchCollator(config.inputDim()).collate(scope, utterances);
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
                for (int phase = 1; phase < PHASES.length; phase++) {
                    seconds[phase][i] = (marks[phase] - marks[phase - 1]) / 1e9;
                }
            }
        }

        @Override
        public void close() {
            root.close();
        }
    }

    /**
     * @param args scale (tiny | small, default tiny), repeats (9), batch size (8), frames per utterance (400), dtype
     *     (float32, or bf16: the forward under {@link Autocast}, as {@code train.dtype: bf16})
     */
    public static void main(String[] args) {
        String scale = args.length > 0 ? args[0] : "tiny";
        boolean bf16 = args.length > 4 && args[4].equals("bf16");
        if (args.length > 4 && !bf16 && !args[4].equals("float32")) {
            throw new IllegalArgumentException("dtype must be float32 or bf16, got " + args[4]);
        }
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int batchSize = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int frames = args.length > 3 ? Integer.parseInt(args[3]) : 400;
        int vocab = 100;
        Engine.getEngine("PyTorch");
        System.out.printf(Locale.ROOT, "scale %s, batch %d x %d frames x 80, V %d, %d interleaved repeats after 2 "
                + "warm-up rounds, %d libtorch threads, %s, GLIBC_TUNABLES=%s%n", scale, batchSize, frames, vocab,
                repeats, Runtime.getRuntime().availableProcessors(), bf16 ? "bf16 autocast" : "float32",
                System.getenv("GLIBC_TUNABLES"));
        List<Utterance> utterances = randomUtterances(batchSize, frames, vocab);
        List<Case> cases = new ArrayList<>();
        try {
            for (String ffn : List.of("dense", "switch", "omni")) {
                cases.add(new Case(ffn, ModelConfig.load(TinyDatasets.repoRoot().resolve("conf/model/" + scale + "_"
                        + ffn + ".yaml"), List.of()), vocab, repeats));
            }
            for (int i = -2; i < repeats; i++) {
                for (int c = 0; c < cases.size(); c++) {
                    cases.get(Math.floorMod(c + i, cases.size())).step(utterances, i, bf16);
                }
            }
            double[] dense = cases.get(0).seconds[0];
            System.out.println("| model | parameters | step (ms) min / median / max | / dense min / median / max | "
                    + "phase medians (ms): forward / backward / clip / optimizer / zero grads |");
            System.out.println("|---|---|---|---|---|");
            for (Case c : cases) {
                double[] ms = Arrays.stream(c.seconds[0]).map(x -> x * 1e3).toArray();
                StringBuilder phases = new StringBuilder();
                for (int phase = 1; phase < PHASES.length; phase++) {
                    double[] sorted = c.seconds[phase].clone();
                    Arrays.sort(sorted);
                    phases.append(phase > 1 ? " / " : "").append(String.format(Locale.ROOT, "%.1f",
                            sorted[sorted.length / 2] * 1e3));
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", c.name,
                        ParameterCount.of(c.config, vocab).summary(), RepeatSpread.of(ms, "%.1f"),
                        RepeatSpread.of(RepeatSpread.ratios(c.seconds[0], dense), "%.2f"), phases);
            }
        } finally {
            cases.forEach(Case::close);
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
