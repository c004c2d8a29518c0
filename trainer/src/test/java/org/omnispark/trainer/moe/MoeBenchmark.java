package org.omnispark.trainer.moe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

/**
 * Forward+backward time of DenseFeedForward vs MoeFeedForward (E = 8, top-1, dropless, same active parameters) on CPU,
 * and their achieved GFLOP/s against a plain GEMM pair of the same shape measured in the same run, forward against
 * its forward and forward+backward against its forward+backward; gradients are zeroed outside the timed region. Not a
 * test.
 *
 * <p>The cases run round-robin (one run of each case per round), so load from other processes on a shared machine hits
 * all cases alike; each case reports its median. FLOPs counted: the two FFN GEMMs, {@code 2 * 2 * T * d * ffn}
 * forward and twice that backward (input and weight gradients); the MoE also counts its gate ({@code 2 T d E}, 3x
 * with backward). Arguments (optional): T d ffn E rounds.
 */
public final class MoeBenchmark {

    private MoeBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional: T d ffn E rounds
     */
    public static void main(String[] args) {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int ffn = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        int experts = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 15;
        Engine.getEngine("PyTorch");
        System.out.printf("MoeBenchmark T=%d d=%d ffn=%d E=%d top-1 dropless, float32, %d cores, median of %d rounds,"
                + " load average at start %.2f%n", tokens, d, ffn, experts,
                Runtime.getRuntime().availableProcessors(), rounds,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        double ffnFlops = 2.0 * 2 * tokens * d * ffn;
        double gateFlops = 2.0 * tokens * d * experts;
        try (NDManager model = NDManager.newBaseManager("PyTorch")) {
            FeedForwardSpec config = FeedForwardSpec.builder().setModelDim(d).setFfnDim(ffn)
                    .optActivation(FfnActivation.RELU).build();
            NDArray x0 = MoeTestSupport.randn(model, new Shape(tokens, d), 1, DataType.FLOAT32);
            NDArray w1 = MoeTestSupport.randn(model, new Shape(d, ffn), 2, DataType.FLOAT32).div(16);
            NDArray w2 = MoeTestSupport.randn(model, new Shape(ffn, d), 3, DataType.FLOAT32).div(32);
            DenseFeedForward dense = DenseFeedForward.create(model, config, "dense", 7);
            GateWeight gate = GateWeight.create(model, "gate", d, experts, DataType.FLOAT32, 8);
            RouterSpec rc = RouterSpec.builder().optAuxLossCoeff(0.01).optJitterEps(0.1).build();
            ExpertWeights weights = ExpertWeights.create(model, config, experts, "experts", 9);
            MoeFeedForward sequential = MoeFeedForward.builder().setRouter(new TopKRouter(gate, rc))
                    .setExperts(new SequentialExperts(weights)).build();
            MoeFeedForward grouped = MoeFeedForward.builder().setRouter(new TopKRouter(gate, rc))
                    .setExperts(new GroupedExperts(weights)).build();
            List<ModelParameter> parameters = ParameterCollector.unique(dense, sequential);
            JniUtils.setGradMode(false);
            System.out.println("tokens per expert (random gate): "
                    + Arrays.toString(sequential.forward(x0, (boolean[]) null, false).tokensPerExpert()));

            ModelParameter gemm1 = new ModelParameter("gemm.w1", w1.duplicate(), false);
            ModelParameter gemm2 = new ModelParameter("gemm.w2", w2.duplicate(), false);
            List<ModelParameter> gemmParameters = List.of(gemm1, gemm2);
            Map<String, Consumer<NDArray>> cases = new LinkedHashMap<>();
            cases.put("plain GEMM pair fwd (no grad)", x -> x.matMul(w1).matMul(w2));
            cases.put("dense fwd (no grad)", dense::forward);
            cases.put("MoE sequential fwd (no grad)", x -> sequential.forward(x, (boolean[]) null, false));
            cases.put("MoE grouped fwd (no grad)", x -> grouped.forward(x, (boolean[]) null, false));
            cases.put("plain GEMM pair fwd+bwd", x -> backward(x, () -> x.matMul(gemm1.array()).matMul(gemm2.array())
                    .sum()));
            cases.put("dense fwd+bwd", x -> backward(x, () -> dense.forward(x).sum()));
            cases.put("MoE sequential fwd+bwd", x -> backward(x, () -> moeLoss(sequential, x)));
            cases.put("MoE grouped fwd+bwd", x -> backward(x, () -> moeLoss(grouped, x)));
            List<ModelParameter> all = new java.util.ArrayList<>(parameters);
            all.addAll(gemmParameters);
            // zeroing the gradients is not part of a layer's cost: it runs after the clock stops
            Map<String, double[]> spread = time(rounds, x0, cases, () -> ParameterCollector.zeroGradients(all));

            double gemmFwd = spread.get("plain GEMM pair fwd (no grad)")[1];
            double gemmFwdBwd = spread.get("plain GEMM pair fwd+bwd")[1];
            for (Map.Entry<String, double[]> entry : spread.entrySet()) {
                String name = entry.getKey();
                boolean bwd = name.contains("bwd");
                double flops = (bwd ? 3 : 1) * (ffnFlops + (name.startsWith("MoE") ? gateFlops : 0));
                double[] t = entry.getValue();
                System.out.printf("%-32s %8.2f / %8.2f / %8.2f ms  %7.1f GFLOP/s  = %.2f x the GEMM pair's %s rate%n",
                        name, t[0] * 1e3, t[1] * 1e3, t[2] * 1e3, flops / t[1] / 1e9,
                        (flops / t[1]) / ((bwd ? 3 : 1) * ffnFlops / (bwd ? gemmFwdBwd : gemmFwd)),
                        bwd ? "fwd+bwd" : "fwd");
            }
            System.out.printf("time ratio MoE / dense (medians), fwd+bwd: sequential %.2f, grouped %.2f; fwd:"
                    + " sequential %.2f, grouped %.2f%n",
                    spread.get("MoE sequential fwd+bwd")[1] / spread.get("dense fwd+bwd")[1],
                    spread.get("MoE grouped fwd+bwd")[1] / spread.get("dense fwd+bwd")[1],
                    spread.get("MoE sequential fwd (no grad)")[1] / spread.get("dense fwd (no grad)")[1],
                    spread.get("MoE grouped fwd (no grad)")[1] / spread.get("dense fwd (no grad)")[1]);
        }
    }

    private static NDArray moeLoss(MoeFeedForward moe, NDArray x) {
        MoeOutput out = moe.forward(x, (boolean[]) null, true);
        return out.output().sum().add(out.totalAuxLoss());
    }

    /** Forward with grad mode on and backward (what one training step does for the layer besides the update). */
    private static void backward(NDArray x, java.util.function.Supplier<NDArray> loss) {
        x.setRequiresGradient(true);
        JniUtils.setGradMode(true);
        NDArray value = loss.get();
        try (NDArray ones = value.onesLike()) {
            JniUtils.backward((PtNDArray) value, (PtNDArray) ones, false, false);
        }
        JniUtils.setGradMode(false);
    }

    /**
     * Min / median / max seconds of each case; 2 warm-up rounds, then round-robin. Every run gets its own sub-manager
     * and a copy of the input in it (made before the clock starts), so its temporaries are freed right after; {@code
     * after} (zeroing gradients) runs after the clock stops.
     */
    private static Map<String, double[]> time(int rounds, NDArray input, Map<String, Consumer<NDArray>> cases,
            Runnable after) {
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        cases.keySet().forEach(name -> samples.put(name, new ArrayList<>()));
        for (int round = -2; round < rounds; round++) {
            for (Map.Entry<String, Consumer<NDArray>> entry : cases.entrySet()) {
                try (NDManager step = input.getManager().newSubManager()) {
                    NDArray x = input.duplicate();
                    x.attach(step);
                    long start = System.nanoTime();
                    entry.getValue().accept(x);
                    long end = System.nanoTime();
                    if (round >= 0) {
                        samples.get(entry.getKey()).add((end - start) / 1e9);
                    }
                }
                after.run();
            }
        }
        Map<String, double[]> spread = new LinkedHashMap<>();
        samples.forEach((name, list) -> {
            list.sort(Double::compare);
            spread.put(name, new double[] {list.get(0), list.get(list.size() / 2), list.get(list.size() - 1)});
        });
        return spread;
    }
}
