package org.omnispark.expertparallel;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.ParameterCount;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.Losses;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.moe.ExpertWeights;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.moe.GateWeight;
import org.omnispark.trainer.moe.LocalTokenDispatcher;
import org.omnispark.trainer.moe.MoeFeedForward;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.moe.RouterSpec;
import org.omnispark.trainer.moe.SequentialExperts;
import org.omnispark.trainer.moe.TopKRouter;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.nn.StagedBackward;
import org.omnispark.trainer.parallel.ExpertParallelism;

/**
 * {@code submit/omnispark bench gpu}: the GPU numbers of issue 20, in one prepared run sized for under 8 minutes on one
 * H100 (an estimate: it has never run on a GPU; see docs/benchmarks.md). Five measurements, each timed with a host read at the end (the
 * device's queue drained), medians after warm-ups:
 *
 * <ol>
 *   <li>GEMM rate through DJL: an n x n x n matmul in fp32 ({@code NDArray.matMul}) and in bf16 ({@link Autocast}:
 *       the casts included, as the model runs them), TFLOP/s;
 *   <li>one MoE layer (top-1, dropless) forward + backward, its FLOP rate as a fraction of the GEMM rate;
 *   <li>staging bandwidth, device to host and back, into pageable memory (DJL's own copy) and into the pinned buffer
 *       {@link HostStaging} uses (its TorchScript {@code copy_}), GB/s;
 *   <li>one rank's training step (forward + backward) of {@code conf/model/paper_omni.yaml}, as MFU = 6 x active
 *       parameters x encoder frames / time, against the nominal peak and the measured GEMM rate;
 *   <li>two ranks on the same GPU, as threads of this JVM over loopback sockets, the model's tensors staged through
 *       host memory: the step time, the staging time and the host syncs per step, against one rank.
 * </ol>
 *
 * <pre>
 *   GpuBenchmark                 on the first CUDA device; refuses when none is visible
 *   GpuBenchmark --cpu-smoke     every measurement tiny on the CPU (staging forced through the host buffers)
 * </pre>
 */
public final class GpuBenchmark {

    private static final double H100_BF16_TFLOPS = 989; // dense, SXM
    private static final double H100_FP32_TFLOPS = 67; // no TF32 (libtorch's matmul default)
    private static final int VOCAB = 5000;

    private final boolean smoke;
    private final Device device;

    private GpuBenchmark(boolean smoke, Device device) {
        this.smoke = smoke;
        this.device = device;
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = Arrays.asList(args).contains("--cpu-smoke");
        Engine engine = Engine.getEngine("PyTorch");
        if (!smoke && engine.getGpuCount() == 0) {
            System.err.println("bench gpu: no CUDA device is visible to libtorch (" + engine.getEngineName() + " "
                    + engine.getVersion() + ", " + engine.getGpuCount() + " GPUs; CUDA_VISIBLE_DEVICES="
                    + System.getenv("CUDA_VISIBLE_DEVICES") + "). It needs one GPU and a CUDA build of libtorch "
                    + "2.7.1 (OMNISPARK_LIBTORCH=cuda; docs/benchmarks.md, 'GPU'). --cpu-smoke runs every "
                    + "measurement tiny on the CPU instead.");
            System.exit(2);
        }
        GpuBenchmark bench = new GpuBenchmark(smoke, smoke ? Device.cpu() : Device.gpu(0));
        System.out.printf(Locale.ROOT, "bench gpu%s: %s, libtorch %s%n", smoke ? " --cpu-smoke (tiny, CPU)" : "",
                bench.device, engine.getVersion());
        long begin = System.nanoTime();
        double[] gemm = bench.gemm();
        bench.moeLayer(gemm);
        bench.staging();
        double step = bench.modelStep(gemm);
        bench.twoRanks(step);
        System.out.printf(Locale.ROOT, "bench gpu: done in %.0f s%n", (System.nanoTime() - begin) / 1e9);
    }

    /** Waits for the device: a one-element copy to the host returns when the queue before it has run. */
    static void sync(NDArray x) {
        try (NDArray flat = x.reshape(-1); NDArray one = flat.get("0:1")) {
            one.toFloatArray();
        }
    }

    /** Median seconds of {@code timed} runs after {@code warm} runs; each run returns a tensor to wait for. */
    static double median(int warm, int timed, Supplier<NDArray> run) {
        double[] seconds = new double[timed];
        for (int i = -warm; i < timed; i++) {
            long begin = System.nanoTime();
            NDArray out = run.get();
            sync(out);
            out.close();
            if (i >= 0) {
                seconds[i] = (System.nanoTime() - begin) / 1e9;
            }
        }
        Arrays.sort(seconds);
        return seconds[timed / 2];
    }

    /** 1. The GEMM rate in fp32 and bf16, TFLOP/s. */
    private double[] gemm() {
        int n = smoke ? 256 : 8192;
        double flops = 2.0 * n * n * n;
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            double fp32 = flops / median(3, smoke ? 3 : 20, () -> a.matMul(b));
            double bf16;
            try (Autocast ignored = Autocast.enable(DataType.BFLOAT16)) {
                bf16 = flops / median(3, smoke ? 3 : 20, () -> Autocast.matMul(a, b));
            }
            System.out.printf(Locale.ROOT, "1. GEMM %dx%dx%d through DJL: fp32 %s%s, bf16 (casts included) %s%s%n",
                    n, n, n, rate(fp32), ofPeak(fp32, false), rate(bf16), ofPeak(bf16, true));
            return new double[] {fp32, bf16};
        }
    }

    /** @return e.g. " (41% of the H100 SXM's nominal bf16 peak, 989 TFLOP/s)"; nothing on the CPU */
    private String ofPeak(double flopsPerSecond, boolean bf16) {
        if (smoke) {
            return "";
        }
        double peak = (bf16 ? H100_BF16_TFLOPS : H100_FP32_TFLOPS) * 1e12;
        return String.format(Locale.ROOT, " (%.1f%% of the H100 SXM's nominal %s peak, %.0f TFLOP/s)",
                100 * flopsPerSecond / peak, bf16 ? "bf16" : "fp32", peak / 1e12);
    }

    /** @return FLOP/s in TFLOP/s, or GFLOP/s below one TFLOP/s */
    static String rate(double flopsPerSecond) {
        return flopsPerSecond >= 1e12 ? String.format(Locale.ROOT, "%.2f TFLOP/s", flopsPerSecond / 1e12)
                : String.format(Locale.ROOT, "%.2f GFLOP/s", flopsPerSecond / 1e9);
    }

    /** 2. One MoE layer's forward + backward as a fraction of the GEMM rate. */
    private void moeLayer(double[] gemm) {
        int tokens = smoke ? 256 : 16384;
        int d = smoke ? 64 : 1024;
        int ffn = smoke ? 128 : 4096;
        int experts = 8;
        double flops = 3 * (2.0 * 2 * tokens * d * ffn + 2.0 * tokens * d * experts); // FFN pair + gate, x3 with bwd
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            FeedForwardSpec config = FeedForwardSpec.builder().setModelDim(d).setFfnDim(ffn)
                    .optActivation(FfnActivation.RELU).build();
            GateWeight gate = GateWeight.create(m, "gate", d, experts, DataType.FLOAT32, 8);
            ExpertWeights weights = ExpertWeights.create(m, config, experts, "experts", 9);
            MoeFeedForward moe = MoeFeedForward.builder()
                    .setRouter(new TopKRouter(gate, RouterSpec.builder().optAuxLossCoeff(0.01).build()))
                    .setExperts(new SequentialExperts(weights)).optDispatcher(new LocalTokenDispatcher(0)).build();
            NDArray x = m.randomNormal(new Shape(tokens, d));
            x.setRequiresGradient(true);
            for (boolean bf16 : new boolean[] {false, true}) {
                double seconds;
                try (Autocast ignored = bf16 ? Autocast.enable(DataType.BFLOAT16) : Autocast.disable()) {
                    seconds = median(3, smoke ? 3 : 20, () -> {
                        JniUtils.setGradMode(true);
                        MoeOutput out = moe.forward(x, (boolean[]) null, true);
                        NDArray loss = out.output().sum().add(out.auxLoss());
                        JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
                        JniUtils.setGradMode(false);
                        return x.getGradient();
                    });
                }
                double rate = flops / seconds;
                System.out.printf(Locale.ROOT, "2. MoE layer T=%d d=%d ffn=%d E=%d top-1 fwd+bwd, %s: %s = %.0f%% "
                        + "of the %s GEMM rate%n", tokens, d, ffn, experts, bf16 ? "bf16" : "fp32", rate(rate),
                        100 * rate / gemm[bf16 ? 1 : 0], bf16 ? "bf16" : "fp32");
            }
        }
    }

    /** 3. Device to host and back: pageable (DJL's toDevice) against the pinned staging buffer (copy_). */
    private void staging() {
        long floats = smoke ? 1 << 20 : 64L << 20; // 4 MiB, 256 MiB
        double gb = floats * 4 / 1e9;
        int timed = smoke ? 3 : 10;
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch");
                NDManager host = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = m.randomNormal(new Shape(floats));
            double pageableDown = median(2, timed, () -> x.toDevice(Device.cpu(), true));
            NDArray pageable = x.toDevice(Device.cpu(), true);
            double pageableUp = median(2, timed, () -> pageable.toDevice(device, true));
            StagingCopies.Buffer pinned = StagingCopies.hostBuffer(host, floats, true);
            System.out.printf(Locale.ROOT, "3. staging %.0f MiB: pageable (DJL toDevice) down %.2f GB/s, up %.2f GB/s%n",
                    floats * 4 / 1048576.0, gb / pageableDown, gb / pageableUp);
            if (!pinned.pinned()) {
                System.out.println("   pinned: not available here (" + firstLine(pinned.whyNotPinned())
                        + "); the staging uses pageable buffers and synchronous copies");
            }
            NDArray buffer = pinned.array();
            double down = median(2, timed, () -> {
                StagingCopies.copyInto(buffer, x, pinned.pinned());
                StagingCopies.waitFor(x);
                return buffer.get("0:1");
            });
            NDArray back = m.zeros(new Shape(floats));
            double up = median(2, timed, () -> {
                StagingCopies.copyInto(back, buffer, pinned.pinned());
                return back.get("0:1");
            });
            System.out.printf(Locale.ROOT, "   %s buffer (HostStaging's copy_): down %.2f GB/s, up %.2f GB/s%n",
                    pinned.pinned() ? "pinned" : "pageable", gb / down, gb / up);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no reason given";
        }
        return s.lines().map(String::strip).filter(l -> l.contains("Error") || l.contains("CUDA") || l.contains("pin"))
                .reduce((first, last) -> last).orElse(s.lines().findFirst().orElse(s));
    }

    /** The paper-shaped Omni model (tiny in a smoke run). */
    private ModelConfig model() {
        List<String> overrides = new ArrayList<>(List.of("spec_aug.num_t_mask=0", "spec_aug.num_f_mask=0"));
        if (smoke) {
            overrides.addAll(List.of("encoder_conf.num_blocks=2", "encoder_conf.output_size=64",
                    "encoder_conf.linear_units=128", "encoder_conf.attention_heads=4"));
        }
        return ModelConfig.load(TinyDatasets.repoRoot().resolve("conf/model/paper_omni.yaml"), overrides);
    }

    private List<Utterance> utterances(int count, int frames, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Utterance> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] f = new float[frames * 80];
            for (int j = 0; j < f.length; j++) {
                f[j] = (float) r.nextGaussian();
            }
            int[] ids = new int[frames / 40];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = 2 + r.nextInt(VOCAB - 3);
            }
            list.add(new Utterance("u" + seed + "-" + i, f, frames, 80, ids, "t", frames / 100.0));
        }
        return list;
    }

    private int batchSize() {
        return smoke ? 4 : 32;
    }

    private int frames() {
        return smoke ? 200 : 1000;
    }

    /** Median seconds of one forward + backward of {@code utterances} on this thread's rank. */
    private double step(ModelConfig config, ExpertParallelism parallelism, List<Utterance> utterances, boolean bf16) {
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            U2Model model = U2Model.builder().setManager(m).setConfig(config).setVocabSize(VOCAB).optSeed(5)
                    .optParallelism(parallelism).build();
            long[] counter = {0};
            return median(2, smoke ? 3 : 10, () -> {
                try (NDManager scope = m.newSubManager()) {
                    Batch batch = new BatchCollator(80).collate(scope, utterances);
                    JniUtils.setGradMode(true);
                    try (StagedBackward tape = parallelism.isDistributed() ? StagedBackward.begin() : null) {
                        Losses out;
                        try (Autocast ignored = bf16 ? Autocast.enable(DataType.BFLOAT16) : Autocast.disable()) {
                            out = model.forward(batch, true, counter[0]++);
                        }
                        if (tape != null) {
                            tape.backward(out.total());
                        } else {
                            JniUtils.backward((PtNDArray) out.total(), (PtNDArray) out.total().onesLike(), false,
                                    false);
                        }
                    }
                    JniUtils.setGradMode(false);
                    return model.parameters().get(0).gradient(); // waited for and closed by median
                }
            });
        }
    }

    /** 4. One rank's step as MFU; returns the bf16 step's seconds. */
    private double modelStep(double[] gemm) throws Exception {
        ModelConfig config = model();
        long active = ParameterCount.of(config, VOCAB).active();
        List<Utterance> batch = utterances(batchSize(), frames(), 1);
        long tokens = (long) batch.size() * (((frames() - 1) / 2 - 1) / 2); // encoder frames after conv2d (1/4)
        double bf16Seconds = 0;
        for (boolean bf16 : new boolean[] {false, true}) {
            // on a worker thread, as a Spark task runs a rank (and with InProcessRanks' thread settings, like 5.)
            double[] measured = InProcessRanks.run(1, 600_000, mesh -> {
                HostSyncs.take();
                double s = step(config, ExpertParallelism.NONE, batch, bf16);
                return new double[] {s, HostSyncs.take().values().stream().mapToLong(Long::longValue).sum()};
            }).get(0);
            double seconds = measured[0];
            double rate = 6.0 * active * tokens / seconds;
            System.out.printf(Locale.ROOT, "4. paper_omni%s 1 rank, %d x %d frames (%d encoder frames), %.1fM active "
                    + "parameters, %s fwd+bwd: %.3f s/step, 6 x active x frames / time = %s = MFU%s, %.0f%% of the "
                    + "measured GEMM rate; %.0f host syncs in %d steps%n", smoke ? " (tiny)" : "", batch.size(),
                    frames(), tokens, active / 1e6, bf16 ? "bf16" : "fp32", seconds, rate(rate),
                    smoke ? " (no nominal peak on the CPU)" : ofPeak(rate, bf16), 100 * rate / gemm[bf16 ? 1 : 0],
                    measured[1], smoke ? 5 : 12);
            bf16Seconds = bf16 ? seconds : bf16Seconds;
        }
        return bf16Seconds;
    }

    /** 5. Two ranks on this device (threads, loopback sockets), staged exchanges, the same global batch. */
    private void twoRanks(double oneRankSeconds) throws Exception {
        ModelConfig config = model();
        int experts = config.encoderConf().ffn().numExperts();
        List<Utterance> all = utterances(batchSize(), frames(), 1);
        List<double[]> seen = InProcessRanks.run(2, 600_000, mesh -> {
            List<Utterance> mine = all.subList(mesh.rank() * all.size() / 2, (mesh.rank() + 1) * all.size() / 2);
            try (HostStaging staging = smoke ? HostStaging.copying() : HostStaging.forDevice(device)) {
                MeshParallelism parallelism = new MeshParallelism(mesh, experts, 0, staging);
                HostSyncs.take();
                double seconds = step(config, parallelism, mine, true);
                long syncs = HostSyncs.take().get(HostSyncs.Kind.EXCHANGE_STAGING);
                double stagingSeconds = parallelism.takeCommunicationTimes().stagingNanos() / 1e9;
                return new double[] {seconds, stagingSeconds, syncs, staging.pinned() ? 1 : 0};
            }
        });
        int steps = smoke ? 5 : 12;
        double slowest = Math.max(seen.get(0)[0], seen.get(1)[0]);
        System.out.printf(Locale.ROOT, "5. paper_omni%s 2 ranks on one %s, bf16, staged exchanges (%s host buffers): "
                + "%.3f s/step (slowest rank) vs 1 rank %.3f s; per rank and step: staging %.3f s / %.3f s, "
                + "%.0f / %.0f staged exchanges%n", smoke ? " (tiny)" : "", smoke ? "CPU" : "GPU",
                seen.get(0)[3] > 0 ? "pinned" : "pageable", slowest, oneRankSeconds, seen.get(0)[1] / steps,
                seen.get(1)[1] / steps, seen.get(0)[2] / steps, seen.get(1)[2] / steps);
    }
}
