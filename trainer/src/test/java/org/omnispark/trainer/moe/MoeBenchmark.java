package org.omnispark.trainer.moe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Forward+backward time of DenseFeedForward vs MoeFeedForward (E = 8, top-1, dropless, same active parameters) on CPU,
 * and their achieved GFLOP/s against a plain GEMM pair of the same shape measured in the same run. Not a test.
 *
 * <p>Run: see the command in the report or {@code mvn ... test-compile} then {@code java -cp ... MoeBenchmark [T d ffn
 * E iterations]}. FLOPs counted: the two FFN GEMMs, {@code 2 * 2 * T * d * ffn} forward and twice that backward
 * (input and weight gradients); the gate ({@code 2 T d E}, 3x with backward) is counted for the MoE.
 */
public final class MoeBenchmark {

    private MoeBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional: T d ffn E iterations
     */
    public static void main(String[] args) {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int ffn = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        int experts = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int iterations = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        Engine.getEngine("PyTorch");
        System.out.printf("MoeBenchmark T=%d d=%d ffn=%d E=%d top-1, float32, %d threads (libtorch intra-op), "
                + "median of %d%n", tokens, d, ffn, experts, Runtime.getRuntime().availableProcessors(), iterations);
        double ffnFlops = 2.0 * 2 * tokens * d * ffn;
        double gateFlops = 2.0 * tokens * d * experts;
        try (NDManager model = NDManager.newBaseManager("PyTorch")) {
            FeedForwardConfig config = FeedForwardConfig.builder().setModelDim(d).setFfnDim(ffn)
                    .optActivation(FfnActivation.RELU).build();
            NDArray x0 = MoeTestSupport.randn(model, new Shape(tokens, d), 1, DataType.FLOAT32);
            NDArray w1 = MoeTestSupport.randn(model, new Shape(d, ffn), 2, DataType.FLOAT32).div(16);
            NDArray w2 = MoeTestSupport.randn(model, new Shape(ffn, d), 3, DataType.FLOAT32).div(32);

            JniUtils.setGradMode(false);
            double gemm = time(iterations, x0, (step, x) -> x.matMul(w1).matMul(w2));
            double gemmGflops = ffnFlops / gemm / 1e9;
            report("plain GEMM pair (forward, no grad)", gemm, ffnFlops, gemmGflops);

            DenseFeedForward dense = DenseFeedForward.create(model, config, "dense", 7);
            GateWeight gate = GateWeight.create(model, "gate", d, experts, DataType.FLOAT32, 8);
            RouterConfig rc = RouterConfig.builder().optAuxLossCoeff(0.01).build();
            ExpertWeights weights = ExpertWeights.create(model, config, experts, "experts", 9);
            MoeFeedForward sequential = MoeFeedForward.builder().setRouter(new TopKRouter(gate, rc))
                    .setExperts(new SequentialExperts(weights)).build();
            MoeFeedForward grouped = MoeFeedForward.builder().setRouter(new TopKRouter(gate, rc))
                    .setExperts(new GroupedExperts(weights)).build();
            List<ModelParameter> parameters = ParameterCollector.unique(dense, sequential);

            long[] counts = sequential.forward(x0, (boolean[]) null, false).tokensPerExpert();
            System.out.println("tokens per expert (random gate): " + Arrays.toString(counts));

            double denseFwd = time(iterations, x0, (step, x) -> dense.forward(x));
            double seqFwd = time(iterations, x0, (step, x) -> sequential.forward(x, (boolean[]) null, false));
            double grpFwd = time(iterations, x0, (step, x) -> grouped.forward(x, (boolean[]) null, false));
            report("dense forward (no grad)", denseFwd, ffnFlops, gemmGflops);
            report("MoE sequential forward (no grad)", seqFwd, ffnFlops + gateFlops, gemmGflops);
            report("MoE grouped forward (no grad)", grpFwd, ffnFlops + gateFlops, gemmGflops);

            double denseStep = time(iterations, x0, (step, x) -> {
                x.setRequiresGradient(true);
                JniUtils.setGradMode(true);
                backward(dense.forward(x).sum());
                JniUtils.setGradMode(false);
                ParameterCollector.zeroGradients(parameters);
            });
            double seqStep = time(iterations, x0, (step, x) -> moeStep(sequential, x, parameters));
            double grpStep = time(iterations, x0, (step, x) -> moeStep(grouped, x, parameters));
            double stepFlops = 3 * ffnFlops;
            report("dense forward+backward", denseStep, stepFlops, gemmGflops);
            report("MoE sequential forward+backward", seqStep, stepFlops + 3 * gateFlops, gemmGflops);
            report("MoE grouped forward+backward", grpStep, stepFlops + 3 * gateFlops, gemmGflops);
            System.out.printf("ratios: MoE/dense time fwd+bwd: sequential %.2f, grouped %.2f%n",
                    seqStep / denseStep, grpStep / denseStep);
        }
    }

    private static void moeStep(MoeFeedForward moe, NDArray x, List<ModelParameter> parameters) {
        x.setRequiresGradient(true);
        JniUtils.setGradMode(true);
        MoeOutput out = moe.forward(x, (boolean[]) null, true);
        backward(out.output().sum().add(out.totalAuxLoss()));
        JniUtils.setGradMode(false);
        ParameterCollector.zeroGradients(parameters);
    }

    private static void backward(NDArray loss) {
        try (NDArray ones = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        }
    }

    /**
     * Median seconds of {@code body} over iterations after 3 warm-up runs; each run gets its own sub-manager and a
     * copy of the input in it (made before the clock starts), so temporaries are freed after every run.
     */
    private static double time(int iterations, NDArray input, BiConsumer<NDManager, NDArray> body) {
        double[] seconds = new double[iterations];
        for (int i = -3; i < iterations; i++) {
            try (NDManager step = input.getManager().newSubManager()) {
                NDArray x = input.duplicate();
                x.attach(step);
                long start = System.nanoTime();
                body.accept(step, x);
                long end = System.nanoTime();
                if (i >= 0) {
                    seconds[i] = (end - start) / 1e9;
                }
            }
        }
        Arrays.sort(seconds);
        return seconds[iterations / 2];
    }

    private static void report(String what, double seconds, double flops, double gemmGflops) {
        double gflops = flops / seconds / 1e9;
        System.out.printf("%-36s %8.2f ms  %7.1f GFLOP/s  = %.2f x the plain GEMM pair's rate%n", what,
                seconds * 1e3, gflops, gflops / gemmGflops);
    }
}
