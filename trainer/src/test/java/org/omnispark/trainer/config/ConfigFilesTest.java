package org.omnispark.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.moe.RouterSpec;
import org.omnispark.trainer.moe.RoutingNormalization;
import org.omnispark.trainer.infra.LearningRateSchedule;
import org.omnispark.trainer.infra.Optimizers;
import org.omnispark.trainer.infra.WarmupDecayLr;
import org.omnispark.trainer.infra.WarmupLr;

/** Every YAML under conf/model and conf/train loads; strictness; validation messages; parameter counts. */
class ConfigFilesTest {

    /** The repository's conf folder (tests run in the trainer module folder). */
    private static final Path CONF = Paths.get("..", "conf");

    @TempDir
    Path dir;

    private static List<Path> yamls(String sub) throws IOException {
        try (Stream<Path> files = Files.list(CONF.resolve(sub))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void everyModelConfigLoadsAndTopOneMoeMatchesDenseActiveParameters() throws IOException {
        List<Path> files = yamls("model");
        assertTrue(files.size() >= 12, "expected tiny/small/base/paper x dense/switch/omni, got " + files);
        for (Path file : files) {
            ModelConfig config = ModelConfig.load(file, List.of());
            String name = file.getFileName().toString();
            String kind = name.substring(name.indexOf('_') + 1, name.length() - ".yaml".length());
            if (kind.equals("wenet_moe")) {
                continue; // top-2 in encoder and decoder: wenetMoeConfigsAreWenetsMoeLayerEverywhere
            }
            assertEquals(kind, config.encoderConf().ffn().type(), name);
            ParameterCount count = ParameterCount.of(config, 5000);
            System.out.println(name + ": " + count.summary());
            if (!kind.equals("dense")) {
                ModelConfig dense = ModelConfig.load(file.resolveSibling(name.replace(kind, "dense")), List.of());
                ParameterCount denseCount = ParameterCount.of(dense, 5000);
                long gates = (long) config.encoderConf().outputSize() * config.encoderConf().ffn().numExperts()
                        * (kind.equals("omni") ? 1 : (config.encoder().equals("conformer") ? 2 : 1)
                                * config.encoderConf().numBlocks());
                assertEquals(denseCount.active() + gates, count.active(),
                        name + ": top-1 active parameters = dense + router weights");
                assertTrue(count.total() > denseCount.total(), name);
            }
        }
    }

    @Test
    void wenetMoeConfigsAreWenetsMoeLayerEverywhere() throws IOException {
        // exactly the settings of the wenet_e8_top2 case of MoeGoldenTest (make_moe_golden.py: WeNet's MoEFFNLayer)
        RouterSpec wenet = RouterSpec.builder().optTopK(2).optNormalization(RoutingNormalization.TOPK_THEN_SOFTMAX)
                .optAuxLossCoeff(0).optZLossCoeff(0).optJitterEps(0).build();
        List<Path> files = yamls("model").stream().filter(p -> p.toString().endsWith("_wenet_moe.yaml")).toList();
        assertEquals(List.of("base_wenet_moe.yaml", "tiny_wenet_moe.yaml"),
                files.stream().map(p -> p.getFileName().toString()).sorted().toList());
        for (Path file : files) {
            ModelConfig config = ModelConfig.load(file, List.of());
            String name = file.getFileName().toString();
            for (FfnConf ffn : List.of(config.encoderConf().ffn(), config.decoderConf().ffn())) {
                assertEquals("switch", ffn.type(), name + ": one gate per MoE layer");
                assertEquals(8, ffn.numExperts(), name);
                assertEquals(0.0, ffn.capacityFactor(), name + ": dropless");
                assertEquals(wenet, ffn.toRouterSpec(), name);
            }
            ModelConfig dense = ModelConfig.load(file.resolveSibling(name.replace("wenet_moe", "dense")), List.of());
            assertEquals(((ObjectNode) ModelDirectory.configTree(dense.encoderConf())).without("ffn"),
                    ((ObjectNode) ModelDirectory.configTree(config.encoderConf())).without("ffn"),
                    name + ": the dense model's shape");
            ParameterCount moe = ParameterCount.of(config, 5000);
            ParameterCount base = ParameterCount.of(dense, 5000);
            System.out.println(name + ": " + moe.summary() + " (dense " + base.summary() + ")");
            assertTrue(moe.total() > 4 * base.total() / 2 && moe.active() > base.active(), name);
        }
    }

    @Test
    void paperDenseIsAbout84M() {
        ParameterCount dense = ParameterCount.of(ModelConfig.load(CONF.resolve("model/paper_dense.yaml"), List.of()),
                5000);
        assertTrue(dense.total() > 80_000_000 && dense.total() < 90_000_000, dense.summary());
    }

    @Test
    void everyTrainConfigLoadsAndBuildsItsSchedule() throws IOException {
        List<Path> files = yamls("train");
        assertEquals(List.of("default.yaml", "small.yaml", "tiny.yaml"), files.stream()
                .map(p -> p.getFileName().toString()).toList());
        for (Path file : files) {
            TrainConfig config = TrainConfig.load(file, List.of());
            LearningRateSchedule schedule = Optimizers.schedule(config);
            assertEquals(config.lr(), schedule.learningRate(config.warmupSteps()), 1e-12,
                    file + ": peak at the end of warmup");
        }
        // the demo's --scale small: a CPU run whose 4000 steps get past the warm-up (default.yaml's is 25000 steps)
        TrainConfig small = TrainConfig.load(CONF.resolve("train/small.yaml"), List.of());
        assertEquals("cpu", small.device());
        assertEquals("float32", small.dtype());
        assertTrue(small.warmupSteps() < small.maxSteps() / 2, "warm-up " + small.warmupSteps() + " of "
                + small.maxSteps() + " steps");
        TrainConfig tiny = TrainConfig.load(CONF.resolve("train/tiny.yaml"), List.of());
        assertEquals(new WarmupLr(0.002, 200), Optimizers.schedule(tiny));
        TrainConfig cosine = TrainConfig.load(CONF.resolve("train/tiny.yaml"), List.of("scheduler=cosine",
                "min_lr=0.0001"));
        assertEquals(new WarmupDecayLr(0.002, 0.0001, 200, 500, WarmupDecayLr.Decay.COSINE),
                Optimizers.schedule(cosine));
    }

    @Test
    void aRelativeCheckpointFolderIsRefusedAsEveryExecutorWouldReadItElsewhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.load(null, List.of("checkpoint.dir=exp/ckpt")));
        assertTrue(e.getMessage().contains("checkpoint.dir must be absolute"), e.getMessage());
        for (String ok : List.of("/exp/ckpt", "hdfs://nn:8020/exp/ckpt", "s3a://bucket/ckpt", "file:/tmp/c", "")) {
            assertEquals(ok, TrainConfig.load(null, List.of("checkpoint.dir=\"" + ok + "\"")).checkpoint().dir());
        }
    }

    @Test
    void everyExpertPathTakesTheMeasuredTokenCountUnlessSet() {
        // 2^21 / (d * ffn): the crossover MoeSmallBatchBenchmark measured (docs/benchmarks.md)
        assertEquals(32, ModelConfig.load(CONF.resolve("model/tiny_omni.yaml"), List.of()).encoderConf().ffn()
                .everyExpertMaxTokens(128, 512));
        assertEquals(8, ModelConfig.load(CONF.resolve("model/small_switch.yaml"), List.of()).encoderConf().ffn()
                .everyExpertMaxTokens(256, 1024));
        assertEquals(2, ModelConfig.load(CONF.resolve("model/paper_omni.yaml"), List.of()).encoderConf().ffn()
                .everyExpertMaxTokens(512, 2048));
        assertEquals(32, ModelConfig.load(CONF.resolve("model/tiny_omni.yaml"), List.of()).encoderConf().ffn()
                .everyExpertMaxTokens(32, 64), "never beyond the largest measured token count");
        assertEquals(0, ModelConfig.load(CONF.resolve("model/tiny_omni.yaml"),
                List.of("encoder_conf.ffn.every_expert_max_tokens=0")).encoderConf().ffn().everyExpertMaxTokens(128,
                512), "0 always dispatches");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.load(CONF.resolve("model/tiny_omni.yaml"),
                        List.of("encoder_conf.ffn.every_expert_max_tokens=-1")));
        assertTrue(e.getMessage().contains("every_expert_max_tokens"), e.getMessage());
    }

    @Test
    void unknownKeysFailNamingTheKey() throws IOException {
        Path model = dir.resolve("model.yaml");
        Files.writeString(model, "encoder_conf:\n  output_size: 64\n  ffn:\n    type: omni\n    num_expert: 4\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.load(model, List.of()));
        assertTrue(e.getMessage().contains("encoder_conf.ffn.num_expert") && e.getMessage().contains("num_experts"),
                e.getMessage());
        Path train = dir.resolve("train.yaml");
        Files.writeString(train, "lr: 0.001\nwarmup: 100\n");
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.load(train, List.of()));
        assertTrue(e.getMessage().contains("'warmup'") && e.getMessage().contains("warmup_steps"), e.getMessage());
    }

    @Test
    void invalidValuesNameTheKey() {
        assertMessage("encoder_conf.attention_heads", () -> ModelConfig.load(null,
                List.of("encoder_conf.output_size=100", "encoder_conf.attention_heads=8")));
        assertMessage("ffn.top_k", () -> ModelConfig.load(null,
                List.of("encoder_conf.ffn.type=switch", "encoder_conf.ffn.num_experts=4", "encoder_conf.ffn.top_k=5")));
        assertMessage("ffn.type", () -> ModelConfig.load(null, List.of("encoder_conf.ffn.type=soft")));
        assertMessage("model_conf.reverse_weight", () -> ModelConfig.load(null,
                List.of("model_conf.reverse_weight=0.3", "decoder_conf.r_num_blocks=0")));
        assertMessage("encoder_conf.input_layer", () -> ModelConfig.load(null,
                List.of("encoder_conf.input_layer=conv1d")));
        assertMessage("max_steps", () -> TrainConfig.load(null, List.of("scheduler=cosine")));
        assertMessage("betas", () -> TrainConfig.load(null, List.of("betas=[0.9]")));
        assertMessage("dtype", () -> TrainConfig.load(null, List.of("dtype=fp16")));
    }

    private static void assertMessage(String key, org.junit.jupiter.api.function.Executable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        assertTrue(e.getMessage().contains(key), "message should name " + key + ": " + e.getMessage());
    }

    @Test
    void parameterCountMatchesHandCount() {
        // transformer encoder d=4, 2 heads, u=8, 2 blocks, input_dim 9, conv2d; CTC only; vocab 3.
        // subsampling: conv 1->4 3x3: 9*4+4 = 40; conv 4->4 3x3: 9*16+4 = 148; freq (9-1)/2 = 4 -> (4-1)/2 = 1;
        //   linear 4*1 -> 4: 16+4 = 20; total 208. final norm 2*4 = 8.
        // layer: attention 4*(16+4) = 80, 2 norms 16, dense FFN 2*4*8+8+4 = 76 -> 172. CTC 4*3+3 = 15.
        List<String> base = List.of("encoder=transformer", "encoder_conf.output_size=4",
                "encoder_conf.attention_heads=2", "encoder_conf.linear_units=8", "encoder_conf.num_blocks=2",
                "encoder_conf.use_cnn_module=false", "decoder=transformer", "decoder_conf.num_blocks=0",
                "decoder_conf.attention_heads=2", "model_conf.ctc_weight=1.0", "input_dim=9");
        ParameterCount dense = ParameterCount.of(ModelConfig.load(null, base), 3);
        assertEquals(new ParameterCount(208 + 8 + 2 * 172 + 15, 208 + 8 + 2 * 172 + 15, 208 + 8 + 2 * 172, 0, 15),
                dense);
        // switch, 4 experts top-1: FFN = 4*76 + gate 4*4 = 320 (active 76 + 16 = 92) per layer
        List<String> sw = Stream.concat(base.stream(), Stream.of("encoder_conf.ffn.type=switch",
                "encoder_conf.ffn.num_experts=4")).toList();
        assertEquals(new ParameterCount(208 + 8 + 2 * (96 + 320) + 15, 208 + 8 + 2 * (96 + 92) + 15,
                208 + 8 + 2 * (96 + 320), 0, 15), ParameterCount.of(ModelConfig.load(null, sw), 3));
        // omni: experts 4*76 = 304 per layer (active 76), ONE gate 16 for the stack
        List<String> omni = Stream.concat(base.stream(), Stream.of("encoder_conf.ffn.type=omni",
                "encoder_conf.ffn.num_experts=4")).toList();
        assertEquals(new ParameterCount(208 + 8 + 2 * (96 + 304) + 16 + 15, 208 + 8 + 2 * (96 + 76) + 16 + 15,
                208 + 8 + 2 * (96 + 304) + 16, 0, 15), ParameterCount.of(ModelConfig.load(null, omni), 3));
    }

    @Test
    void ffnConfMapsToTheMoeRouterSpec() {
        ModelConfig config = ModelConfig.load(CONF.resolve("model/tiny_omni.yaml"), List.of());
        FfnConf ffn = config.encoderConf().ffn();
        assertTrue(ffn.sharedRouter());
        assertEquals(1, ffn.toRouterSpec().topK());
        assertEquals(RoutingNormalization.SOFTMAX_THEN_TOPK, ffn.toRouterSpec().normalization());
        assertEquals(0.01, ffn.toRouterSpec().auxLossCoeff());
        assertFalse(config.decoderConf().ffn().isMoe());
    }
}
