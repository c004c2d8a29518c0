package org.omnispark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.ParameterCount;
import org.omnispark.trainer.nn.ModelParameter;

/** Assembly of the U2++ model: gates per FFN type, parameter counts, losses and their parts, batch padding. */
class U2ModelTest {

    private static final int V = 12;

    @BeforeAll
    static void engine() {
        Engine.getEngine("PyTorch");
    }

    /** Random utterances with F = 80 and the given frame counts / label lengths (labels in [2, V-2]). */
    static List<Utterance> utterances(int[] frames, int[] labels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Utterance> list = new ArrayList<>();
        for (int i = 0; i < frames.length; i++) {
            float[] f = new float[frames[i] * 80];
            for (int j = 0; j < f.length; j++) {
                f[j] = (float) r.nextGaussian();
            }
            int[] ids = new int[labels[i]];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = 2 + r.nextInt(V - 3);
            }
            list.add(new Utterance("u" + i, f, frames[i], 80, ids, "t" + i, frames[i] / 100.0));
        }
        return list;
    }

    private static U2Model build(NDManager m, ModelConfig config) {
        return U2Model.builder().setManager(m).setConfig(config).setVocabSize(V).optSeed(5).build();
    }

    @Test
    void omniHasOneGateSwitchHasOnePerFeedForwardBlockDenseNone() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // macaron Conformer, 2 layers: 2 * L = 4 FFN blocks in the encoder; decoder FFNs dense
            assertEquals(1, build(m, TinyDatasets.model("omni")).gateParameters().size(), "omni: ONE shared gate");
            assertEquals(4, build(m, TinyDatasets.model("switch")).gateParameters().size(), "switch: 2 * L gates");
            assertEquals(0, build(m, TinyDatasets.model("dense")).gateParameters().size(), "dense: no gate");
            U2Model omni = build(m, TinyDatasets.model("omni"));
            ModelParameter gate = omni.gateParameters().get(0);
            long inModel = omni.parameters().stream().filter(p -> p == gate).count();
            assertEquals(1, inModel, "the shared gate is in parameters() once");
            Set<String> names = new HashSet<>();
            for (ModelParameter p : build(m, TinyDatasets.model("switch", "decoder_conf.ffn.type=switch",
                    "decoder_conf.ffn.num_experts=2")).parameters()) {
                assertTrue(names.add(p.name()), "parameter names must be unique for checkpoints: " + p.name());
            }
        }
    }

    @Test
    void parameterCountMatchesTheConfigEstimate() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (String ffn : List.of("dense", "switch", "omni")) {
                ModelConfig config = TinyDatasets.model(ffn);
                long built = build(m, config).numParameters();
                long estimate = ParameterCount.of(config, V).total();
                assertEquals(estimate, built, ffn + ": ParameterCount.of says " + estimate + ", the model has " + built);
            }
            ModelConfig moeDecoder = TinyDatasets.model("omni", "decoder_conf.ffn.type=omni",
                    "decoder_conf.ffn.num_experts=2");
            U2Model model = build(m, moeDecoder);
            assertEquals(3, model.gateParameters().size(), "omni encoder + one shared gate per decoder direction");
            assertEquals(ParameterCount.of(moeDecoder, V).total(), model.numParameters(), "MoE decoder count");
        }
    }

    @Test
    void collatorPadsFeaturesWithZerosAndTargetsWithMinusOne() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            List<Utterance> us = utterances(new int[] {7, 5}, new int[] {2, 3}, 1);
            Batch batch = new BatchCollator(80).collate(m, us);
            assertEquals(new Shape(2, 7, 80), batch.features().getShape());
            float[] f = batch.features().toFloatArray();
            assertEquals(us.get(1).features()[5 * 80 - 1], f[7 * 80 + 5 * 80 - 1], "last real value of utterance 1");
            assertEquals(0f, f[7 * 80 + 5 * 80], "first padded value of utterance 1");
            int[] ys = batch.targets().toIntArray();
            assertArrayEquals(new int[] {us.get(0).tokenIds()[0], us.get(0).tokenIds()[1], -1}, new int[] {ys[0],
                    ys[1], ys[2]}, "utterance 0 padded to S = 3 with -1");
            assertArrayEquals(new int[] {7, 5}, batch.featureLengths());
            assertArrayEquals(new int[] {2, 3}, batch.targetLengths());
        }
    }

    @Test
    void capacityFactorFromTheConfigDropsOverflowAndALargeOneEqualsDropless() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(false);
            Batch batch = new BatchCollator(80).collate(m, utterances(new int[] {60, 45, 52}, new int[] {4, 2, 3}, 2));
            Map<String, Double> dropless = build(m, TinyDatasets.model("switch")).forward(batch, false, 0).toHost();
            // tiny_switch: 4 experts, top-1; capacity factor 4 = E: capacity = T, nothing can overflow
            Losses large = build(m, TinyDatasets.model("switch", "encoder_conf.ffn.capacity_factor=4.0"))
                    .forward(batch, false, 0);
            assertEquals(dropless, large.toHost(), "capacity factor E equals dropless");
            long droppedLarge = large.encoder().moeOutputs().stream().mapToLong(o -> o.droppedAssignments()).sum();
            assertEquals(0, droppedLarge);
            // capacity factor 0.5: each expert keeps at most cap = ceil(0.5 * T / 4) of the T valid tokens; the
            // overflow, sum over experts of max(0, n_e - cap), rides the residual
            Losses tight = build(m, TinyDatasets.model("switch", "encoder_conf.ffn.capacity_factor=0.5"))
                    .forward(batch, false, 0);
            for (var moe : tight.encoder().moeOutputs()) {
                long valid = 0;
                for (long n : moe.tokensPerExpert()) {
                    valid += n;
                }
                long cap = (long) Math.ceil(0.5 * valid / 4);
                long overflow = 0;
                for (long n : moe.tokensPerExpert()) {
                    overflow += Math.max(0, n - cap);
                }
                assertTrue(overflow > 0, "with T = " + valid + " and cap " + cap + " some expert must overflow");
                assertEquals(overflow, moe.droppedAssignments(), "dropped = overflow for routing "
                        + java.util.Arrays.toString(moe.tokensPerExpert()) + ", cap " + cap);
            }
            assertTrue(Math.abs(tight.toHost().get("loss") - dropless.get("loss")) > 1e-6,
                    "dropping tokens changes the loss");
        }
    }

    @Test
    void totalLossIsTheHybridCombinationPlusTheMoeLosses() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setGradMode(false);
            U2Model model = build(m, TinyDatasets.model("switch", "encoder_conf.ffn.z_loss_coeff=0.001"));
            Batch batch = new BatchCollator(80).collate(m, utterances(new int[] {60, 45, 52}, new int[] {4, 2, 3}, 2));
            Map<String, Double> l = model.forward(batch, false, 0).toHost();
            // tiny_switch: ctc_weight 0.3, reverse_weight 0.3
            double expected = 0.3 * l.get("ctc") + 0.7 * (0.7 * l.get("att") + 0.3 * l.get("att_reverse"))
                    + l.get("moe_aux") + l.get("moe_z");
            assertEquals(expected, l.get("loss"), 1e-4 * Math.abs(expected), "total vs parts " + l);
            // Switch aux = 0.01 * E * sum f_i P_i >= 0.01 per block (balance), 4 blocks
            assertTrue(l.get("moe_aux") >= 0.04 - 1e-5, "aux of 4 blocks " + l);
            assertTrue(l.get("moe_z") > 0, "z-loss is on " + l);

            U2Model ctcOnly = build(m, TinyDatasets.model("dense", "model_conf.ctc_weight=1.0",
                    "model_conf.reverse_weight=0.0"));
            assertNull(ctcOnly.decoder(), "ctc_weight 1 needs no decoder");
            Losses c = ctcOnly.forward(batch, false, 0);
            assertNotNull(c.ctc());
            Map<String, Double> h = c.toHost();
            assertEquals(h.get("ctc"), h.get("loss"), 1e-6, "CTC-only total = ctc " + h);
            assertEquals(0.0, h.get("moe_aux"), "dense: no aux loss");
        }
    }
}
