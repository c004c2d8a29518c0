package org.omnispark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnispark.trainer.nn.HostSyncs;

/**
 * The named host syncs of a forward pass: L MoE layers make L router syncs (the top-k choices, one read per layer),
 * a dense model none; reading the losses makes one sync for all parts; the counts are per thread and reset by take().
 */
class HostSyncsTest {

    private static final int V = 12;

    @BeforeAll
    static void engine() {
        Engine.getEngine("PyTorch");
    }

    @ParameterizedTest
    @CsvSource({"switch,4", "omni,4", "dense,0"})
    void aForwardPassSyncsOncePerMoeLayer(String ffn, int moeLayers) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(false);
            Batch batch = new BatchCollator(80).collate(m,
                    U2ModelTest.utterances(new int[] {60, 45, 52}, new int[] {4, 2, 3}, 2));
            U2Model model = U2Model.builder().setManager(m).setConfig(TinyDatasets.model(ffn)).setVocabSize(V)
                    .optSeed(5).build();
            HostSyncs.take();
            Losses first = model.forward(batch, false, 0);
            assertEquals(moeLayers, first.encoder().moeOutputs().size(), "the model's MoE layers");
            model.forward(batch, true, 1);
            Map<HostSyncs.Kind, Long> counts = HostSyncs.peek();
            assertEquals(2L * moeLayers, counts.get(HostSyncs.Kind.ROUTER_CHOICES), "L router syncs per forward");
            assertEquals(0L, counts.get(HostSyncs.Kind.VALID_MASK), "the encoder hands the MoE layers a host mask");
            assertEquals(0L, counts.get(HostSyncs.Kind.LOSS), "nothing read the losses yet");
            Map<String, Double> parts = first.toHost();
            assertEquals(1L, HostSyncs.take().get(HostSyncs.Kind.LOSS), "the loss parts are read in one sync");
            assertEquals(first.total().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble(),
                    parts.get("loss"), 0.0, "the same value as a read of its own");
            assertEquals(0L, HostSyncs.peek().values().stream().mapToLong(Long::longValue).sum(), "take() resets");
        }
    }
}
