package org.omnispark.trainer.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.encoder.ConformerEncoderLayer;
import org.omnispark.trainer.encoder.EncoderLayer;
import org.omnispark.trainer.encoder.FeedForwardFactory;
import org.omnispark.trainer.loop.TrainSummary;
import org.omnispark.trainer.loop.Trainer;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * A router is a plug-in: {@link SigmoidTopKRouter}, a class of this test tree listed in its
 * {@code META-INF/services}, is found by {@link Routers}, selected by a model YAML's {@code ffn.router}, built into
 * every MoE layer, and trains; an unknown name is refused when the config loads, naming the known ones.
 */
class RouterPluginTest {

    @Test
    void theRegistryHasTheBuiltInAndThePlugIn() {
        assertEquals(List.of("sigmoid_topk", "topk"), Routers.names());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TinyDatasets.model("switch", "encoder_conf.ffn.router=nope"));
        assertTrue(e.getMessage().contains("unknown router 'nope'") && e.getMessage().contains("[sigmoid_topk, topk]")
                && e.getMessage().contains("META-INF/services/org.omnispark.trainer.moe.RouterProvider"),
                e.getMessage());
    }

    @Test
    void thePlugInRoutesAsWorkedOutByHand() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // W [d=2, E=3]; tokens e0 and e1: logits t0 = [0, 1, -1], t1 = [2, 0, 1]
            GateWeight gate = new GateWeight(new ModelParameter("gate", m.create(new float[] {0, 1, -1, 2, 0, 1},
                    new Shape(2, 3)), false));
            Router router = Routers.create(gate, RouterSpec.builder().optKind("sigmoid_topk").optTopK(2).build());
            assertInstanceOf(SigmoidTopKRouter.class, router);
            NDArray hidden = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            RoutingResult r = router.route(hidden, null, true);
            assertArrayEquals(new long[] {1, 0, 0, 2}, r.topIndices());
            // t0: sigmoid(1) = 0.731059, sigmoid(0) = 0.5 -> 0.731059 / 1.231059 = 0.593845, 0.406155
            // t1: sigmoid(2) = 0.880797, sigmoid(1) = 0.731059 -> 0.880797 / 1.611856 = 0.546449, 0.453551
            assertArrayEquals(new float[] {0.593845f, 0.406155f, 0.546449f, 0.453551f}, r.weights().toFloatArray(),
                    2e-6f);
            assertArrayEquals(new long[] {2, 1, 1}, r.tokensPerExpert(), "t0 -> 1, 0; t1 -> 0, 2");
        }
    }

    @Test
    void aModelYamlSelectsThePlugInForEveryMoeLayerAndItTrains(@TempDir Path tmp) {
        ModelConfig plugged = TinyDatasets.model("switch", "encoder_conf.ffn.router=sigmoid_topk");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            U2Model model = U2Model.builder().setManager(m).setConfig(plugged).setVocabSize(20).optSeed(3).build();
            List<Router> routers = new ArrayList<>();
            for (EncoderLayer layer : model.encoder().layers()) {
                ConformerEncoderLayer c = (ConformerEncoderLayer) layer;
                for (var ffn : List.of(c.feedForwardMacaron(), c.feedForward())) {
                    routers.add(((FeedForwardFactory.Moe) ffn).moe().router());
                }
            }
            assertEquals(4, routers.size(), "2 Conformer blocks, 2 FFNs each");
            assertTrue(routers.stream().allMatch(SigmoidTopKRouter.class::isInstance), routers.toString());
        }
        Path data = TinyDatasets.dataset(8);
        TrainSummary sigmoid = Trainer.builder().setModelConfig(plugged).setTrainConfig(TinyDatasets.train(
                "max_steps=2")).setTrainData(data).setOutput(tmp.resolve("sigmoid")).build().run();
        TrainSummary topk = Trainer.builder().setModelConfig(TinyDatasets.model("switch")).setTrainConfig(
                TinyDatasets.train("max_steps=2")).setTrainData(data).setOutput(tmp.resolve("topk")).build().run();
        assertEquals(2, sigmoid.losses().size());
        assertTrue(sigmoid.losses().stream().allMatch(l -> Double.isFinite(l) && l > 0), sigmoid.losses().toString());
        // the same weights and batches: only the combine weights differ, so does the first loss
        assertNotEquals(topk.losses().get(0), sigmoid.losses().get(0));
    }
}
