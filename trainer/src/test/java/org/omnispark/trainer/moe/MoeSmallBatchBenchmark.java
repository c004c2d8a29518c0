package org.omnispark.trainer.moe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.omnispark.trainer.RepeatSpread;

/**
 * Where the MoE layer should switch from running every expert on every token ({@link EveryExpertMixture}) to the
 * dispatched path (permute, one GEMM pair per expert, un-permute): inference forward time (no grad) of the dense FFN,
 * the dispatched MoE and the every-expert MoE, at token counts T from a 16-frame streaming chunk up. Not a test.
 *
 * <p>For each T the three cases run interleaved: a repeat times {@code calls} calls of each case in turn (per-call
 * mean), and 3 repeats give min / median / max. Every call gets its own sub-manager, like a decoding step. Arguments
 * (optional): d ffn E k calls T... (default 128 512 4 1 200, T = 8 16 32 64 128 256 512 1024).
 */
public final class MoeSmallBatchBenchmark {

    private static final int REPEATS = 3;

    private MoeSmallBatchBenchmark() {}

    /**
     * Runs the benchmark and prints one line per (T, case).
     *
     * @param args optional: d ffn E k calls T...
     */
    public static void main(String[] args) {
        int d = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int ffn = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int experts = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int topK = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int calls = args.length > 4 ? Integer.parseInt(args[4]) : 200;
        List<Integer> tokenCounts = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            tokenCounts.add(Integer.parseInt(args[i]));
        }
        if (tokenCounts.isEmpty()) {
            tokenCounts = List.of(8, 16, 32, 64, 128, 256, 512, 1024);
        }
        Engine.getEngine("PyTorch");
        JniUtils.setGradMode(false);
        System.out.printf("MoeSmallBatchBenchmark d=%d ffn=%d E=%d top-%d swish, float32, no grad, %d cores, %d calls"
                + " per repeat, %d repeats interleaved, load average at start %.2f%n", d, ffn, experts, topK,
                Runtime.getRuntime().availableProcessors(), calls, REPEATS,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("| T | T x E | dense ms | dispatched ms | every expert ms | dispatched / dense"
                + " | every expert / dense | every expert / dispatched |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        try (NDManager model = NDManager.newBaseManager("PyTorch")) {
            FeedForwardSpec spec = FeedForwardSpec.builder().setModelDim(d).setFfnDim(ffn)
                    .optActivation(FfnActivation.SWISH).build();
            DenseFeedForward dense = DenseFeedForward.create(model, spec, "dense", 7);
            GateWeight gate = GateWeight.create(model, "gate", d, experts, DataType.FLOAT32, 8);
            ExpertWeights weights = ExpertWeights.create(model, spec, experts, "experts", 9);
            RouterSpec router = RouterSpec.builder().optTopK(topK).optAuxLossCoeff(0.01).build();
            MoeFeedForward dispatched = MoeFeedForward.builder().setRouter(new TopKRouter(gate, router))
                    .setExperts(new SequentialExperts(weights)).build();
            MoeFeedForward everyExpert = MoeFeedForward.builder().setRouter(new TopKRouter(gate, router))
                    .setExperts(new SequentialExperts(weights)).optEveryExpertMaxTokens(Long.MAX_VALUE).build();
            for (int tokens : tokenCounts) {
                NDArray x = MoeTestSupport.randn(model, new Shape(tokens, d), tokens, DataType.FLOAT32);
                Map<String, Function<NDArray, NDArray>> cases = new LinkedHashMap<>();
                cases.put("dense", dense::forward);
                cases.put("dispatched", in -> dispatched.forward(in, (boolean[]) null, false).output());
                cases.put("every expert", in -> everyExpert.forward(in, (boolean[]) null, false).output());
                Map<String, double[]> ms = time(x, cases, calls);
                double[] denseMs = ms.get("dense");
                double[] dispatchedMs = ms.get("dispatched");
                double[] everyMs = ms.get("every expert");
                System.out.printf("| %d | %d | %s | %s | %s | %s | %s | %s |%n", tokens, (long) tokens * experts,
                        RepeatSpread.of(denseMs, "%.3f"), RepeatSpread.of(dispatchedMs, "%.3f"),
                        RepeatSpread.of(everyMs, "%.3f"),
                        ratio(dispatchedMs, denseMs), ratio(everyMs, denseMs), ratio(everyMs, dispatchedMs));
            }
        }
    }

    /** Per-call milliseconds of each case in each repeat, the cases interleaved (one warm-up repeat first). */
    private static Map<String, double[]> time(NDArray x, Map<String, Function<NDArray, NDArray>> cases, int calls) {
        Map<String, double[]> result = new LinkedHashMap<>();
        cases.keySet().forEach(name -> result.put(name, new double[REPEATS]));
        for (int repeat = -1; repeat < REPEATS; repeat++) {
            for (Map.Entry<String, Function<NDArray, NDArray>> entry : cases.entrySet()) {
                long start = System.nanoTime();
                for (int call = 0; call < calls; call++) {
                    try (NDManager step = x.getManager().newSubManager()) {
                        NDArray in = x.duplicate();
                        in.attach(step);
                        entry.getValue().apply(in).toFloatArray(); // wait for the result, as a decoder does
                    }
                }
                if (repeat >= 0) {
                    result.get(entry.getKey())[repeat] = (System.nanoTime() - start) / 1e6 / calls;
                }
            }
        }
        return result;
    }

    /** min / median / max of the per-repeat ratios (each repeat's cases ran side by side). */
    private static String ratio(double[] a, double[] b) {
        return RepeatSpread.of(RepeatSpread.ratios(a, b), "%.2f");
    }
}
