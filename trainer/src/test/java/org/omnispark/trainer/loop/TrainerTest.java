package org.omnispark.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.infra.TensorBoardWriter;

/** The training loop on a tiny synthesized dataset: overfitting, resume equivalence, outputs, flat memory. */
class TrainerTest {

    @TempDir
    Path tmp;

    @Test
    void tinyOmniModelOverfitsFourUtterances() throws IOException {
        Path data = TinyDatasets.dataset(4);
        ModelConfig model = TinyDatasets.modelWithoutDropout("omni",
                "spec_aug.num_t_mask=0", "spec_aug.num_f_mask=0", "encoder_conf.use_dynamic_chunk=false");
        TrainConfig train = TinyDatasets.train("max_steps=50", "lr=0.01", "warmup_steps=10", "weight_decay=0.0",
                "valid_interval=25");
        List<Long> rss = new ArrayList<>();
        Path out = tmp.resolve("run");
        TrainSummary summary = Trainer.builder().setModelConfig(model).setTrainConfig(train).setTrainData(data)
                .optValidData(data).setOutput(out).optStepListener(m -> {
                    if (m.step() == 20 || m.step() == 50) {
                        rss.add(nativeBytes());
                    }
                }).build().run();
        List<Double> losses = summary.losses();
        System.out.println("overfit losses " + losses);
        assertEquals(50, losses.size(), "one loss per update");
        double first = losses.get(0);
        double last = losses.get(losses.size() - 1);
        System.out.printf("overfit: loss %.3f -> %.3f, RSS - Java heap at step 20 %d MB, at step 50 %d MB, %.1f s%n",
                first, last,
                rss.get(0) >> 20, rss.get(1) >> 20, summary.seconds());
        assertTrue(last < 0.35 * first, "the loss must drop a lot on 4 utterances: " + first + " -> " + last);
        // memory: the per-step managers are closed, so native memory (RSS minus the committed Java heap) stays
        // flat; a leak of the step's tensors would add megabytes per step (30 steps here)
        assertTrue(rss.get(1) - rss.get(0) < 48L << 20, "native memory grew from " + (rss.get(0) >> 20) + " MB to "
                + (rss.get(1) >> 20) + " MB over 30 steps");

        // outputs: model folder, checkpoint, metrics
        ModelDirectory dir = ModelDirectory.read(out);
        assertEquals(model, dir.modelConfig(), "model.json round-trips the model config");
        assertTrue(Files.exists(out.resolve("units.txt")), "tokenizer copied");
        assertTrue(Files.exists(out.resolve("checkpoints/ckpt-50/checkpoint.json")), "final checkpoint");
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(50 + 2, lines.size(), "50 step lines (log_interval 1) + 2 validation lines");
        try (var files = Files.list(out.resolve("tensorboard"))) {
            Path events = files.findFirst().orElseThrow();
            assertEquals(1 + 50 + 2, TensorBoardWriter.read(events).size(), "file version + 50 steps + 2 validations");
        }
        assertEquals(2, summary.validations().size(), "validated at steps 25 and 50");
        ValidationResult v = summary.validations().get(1);
        assertEquals(4, v.utterances());
        System.out.printf("validation at step 50: loss %.3f CER %.3f WER %.3f%n", v.loss(), v.cer(), v.wer());
        assertTrue(v.loss() < summary.validations().get(0).loss(), "validation loss falls from step 25 to 50");
    }

    @Test
    void sixStepsEqualThreeStepsResumeAndThreeMore() throws IOException {
        Path data = TinyDatasets.dataset(4);
        // dropout, SpecAugment and router jitter on (all seeded per micro-batch), batches of 2 so an epoch has 2
        // batches and resume lands mid-epoch
        ModelConfig model = TinyDatasets.model("switch", "encoder_conf.use_dynamic_chunk=true",
                "encoder_conf.ffn.jitter_eps=0.1");
        String[] common = {"batch.max_batch_size=2", "lr=0.002", "warmup_steps=2"};
        Path straight = tmp.resolve("straight");
        Path resumed = tmp.resolve("resumed");
        Trainer.builder().setModelConfig(model).setTrainConfig(train(common, "max_steps=6")).setTrainData(data)
                .setOutput(straight).build().run();
        TrainSummary part1 = Trainer.builder().setModelConfig(model).setTrainConfig(train(common, "max_steps=3"))
                .setTrainData(data).setOutput(resumed).build().run();
        assertEquals(3, part1.finalStep());
        TrainSummary part2 = Trainer.builder().setModelConfig(model).setTrainConfig(train(common, "max_steps=6"))
                .setTrainData(data).setOutput(resumed).build().run();
        assertEquals(3, part2.startStep(), "resumed from ckpt-3");
        assertEquals(6, part2.finalStep());
        // model + optimizer tensors, concatenated in a fixed order: bitwise equal
        byte[] a = Files.readAllBytes(straight.resolve("checkpoints/ckpt-6/part-0.bin"));
        byte[] b = Files.readAllBytes(resumed.resolve("checkpoints/ckpt-6/part-0.bin"));
        assertEquals(a.length, b.length);
        assertArrayEquals(a, b, "parameters and Adam state after 6 steps vs 3 + resume + 3");
    }

    @Test
    void bf16MixedPrecisionTrainsWithFloat32MasterWeights() throws IOException {
        Path data = TinyDatasets.dataset(4);
        ModelConfig model = TinyDatasets.modelWithoutDropout("switch",
                "spec_aug.num_t_mask=0", "spec_aug.num_f_mask=0", "encoder_conf.use_dynamic_chunk=false");
        String[] common = {"max_steps=20", "lr=0.01", "warmup_steps=5", "weight_decay=0.0"};
        TrainSummary fp32 = Trainer.builder().setModelConfig(model).setTrainConfig(train(common, "dtype=float32"))
                .setTrainData(data).setOutput(tmp.resolve("fp32")).build().run();
        TrainSummary bf16 = Trainer.builder().setModelConfig(model).setTrainConfig(train(common, "dtype=bf16"))
                .setTrainData(data).setOutput(tmp.resolve("bf16")).build().run();
        List<Double> a = fp32.losses();
        List<Double> b = bf16.losses();
        System.out.println("fp32 losses " + a + "\nbf16 losses " + b);
        assertEquals(20, b.size());
        assertTrue(b.stream().allMatch(Double::isFinite), "bf16 losses finite: " + b);
        // same initial parameters and batch: the first loss differs only by bf16 rounding of the GEMMs
        assertEquals(a.get(0), b.get(0), 0.01 * a.get(0), "step-1 loss fp32 vs bf16");
        assertTrue(b.get(19) < 0.7 * b.get(0), "bf16 training must learn: " + b.get(0) + " -> " + b.get(19));
        assertEquals(a.get(19), b.get(19), 0.02 * a.get(19), "step-20 loss fp32 vs bf16 (measured: 0.1% apart)");
        // the checkpoint holds float32 master weights
        String checkpoint = Files.readString(tmp.resolve("bf16/checkpoints/ckpt-20/checkpoint.json"))
                + Files.readString(tmp.resolve("bf16/checkpoints/ckpt-20/part-0.json"));
        java.util.regex.Matcher dtype = java.util.regex.Pattern.compile("\"dtype\" : \"(\\w+)\"").matcher(checkpoint);
        List<String> types = new ArrayList<>();
        while (dtype.find()) {
            types.add(dtype.group(1));
        }
        assertTrue(types.remove("bf16"), "the train config in the checkpoint says dtype bf16: " + types);
        assertTrue(types.size() > 10 && types.stream().allMatch("float32"::equals),
                "every checkpoint tensor (parameters, Adam moments) is float32: " + types);
    }

    private static TrainConfig train(String[] common, String extra) {
        String[] all = java.util.Arrays.copyOf(common, common.length + 1);
        all[common.length] = extra;
        return TinyDatasets.train(all);
    }

    /** RSS minus the committed Java heap: libtorch's memory and the JVM's own. */
    private static long nativeBytes() {
        System.gc();
        return residentBytes() - Runtime.getRuntime().totalMemory();
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /** A cancelled run (the ranks of a failed stage attempt) stops before its next micro-batch and commits nothing. */
    @Test
    void aCancelledRunStopsAndCommitsNothingMore() {
        Path data = TinyDatasets.dataset(4);
        ModelConfig model = TinyDatasets.modelWithoutDropout("dense");
        TrainConfig train = TinyDatasets.train("max_steps=20", "checkpoint.interval=1", "checkpoint.keep=50");
        Path out = tmp.resolve("cancelled");
        java.util.concurrent.atomic.AtomicLong step = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CancellationException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.CancellationException.class, () -> Trainer.builder().setModelConfig(model)
                        .setTrainConfig(train).setTrainData(data).setOutput(out)
                        .optStepListener(m -> step.set(m.step())).optCancellation(() -> step.get() >= 3)
                        .build().run());
        assertTrue(e.getMessage().contains("stops at step 3"), e.getMessage());
        assertTrue(Files.exists(out.resolve("checkpoints/ckpt-3/checkpoint.json")));
        assertFalse(Files.exists(out.resolve("checkpoints/ckpt-4")), "nothing after the cancellation");
    }
}
