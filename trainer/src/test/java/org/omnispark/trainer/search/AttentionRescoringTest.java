package org.omnispark.trainer.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.ctc.CtcHead;
import org.omnispark.trainer.decoder.BiTransformerDecoder;
import org.omnispark.trainer.decoder.DecoderSpec;
import org.omnispark.trainer.encoder.FeedForwardFactory;
import org.omnispark.trainer.moe.FeedForwardSpec;

/**
 * Attention rescoring with a real (randomly initialized) bidirectional decoder: the batched, padded rescoring must
 * give each hypothesis the score computed for it alone, pick the decoder's favourite with ctcWeight = 0, and the CTC
 * favourite when the CTC weight dominates.
 */
class AttentionRescoringTest {

    private static final int V = 7; // 0 blank, 1..5 labels, 6 sos/eos

    static {
        Engine.getEngine("PyTorch");
    }

    @Test
    void rescoringFollowsTheDecoderWhenCtcWeightIsZero() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            BiTransformerDecoder decoder = decoder(m);
            NDArray encoderOut = randn(m, new Shape(2, 6, 8), 5);
            long[] lengths = {6, 4};
            List<List<Integer>> candidates = List.of(List.of(1, 2), List.of(3), List.of(2, 4, 5), List.of());
            double reverseWeight = 0.3;
            List<List<Hypothesis>> nbest = new ArrayList<>();
            double[][] alone = new double[2][candidates.size()];
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < candidates.size(); i++) {
                    alone[b][i] = scoreAlone(m, decoder, encoderOut, b, lengths[b], candidates.get(i), reverseWeight);
                }
                // CTC prefers the hypothesis the decoder likes least, by a wide margin
                int worst = argmin(alone[b]);
                List<Hypothesis> list = new ArrayList<>();
                for (int i = 0; i < candidates.size(); i++) {
                    double ctc = i == worst ? -0.1 : -50.0 - i;
                    list.add(new Hypothesis(candidates.get(i), ctc, ctc));
                }
                nbest.add(list);
            }
            AttentionRescoring decoderOnly = AttentionRescoring.builder().setDecoder(decoder).optCtcWeight(0)
                    .optReverseWeight(reverseWeight).build();
            List<List<Hypothesis>> scored = decoderOnly.scoreAll(encoderOut, lengths, nbest);
            List<Hypothesis> best = decoderOnly.rescore(encoderOut, lengths, nbest);
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < candidates.size(); i++) {
                    assertEquals(alone[b][i], scored.get(b).get(i).score(), 1e-9,
                            "batched score of " + candidates.get(i) + " in utterance " + b);
                }
                int favourite = argmax(alone[b]);
                assertEquals(candidates.get(favourite), best.get(b).tokens(), "decoder's favourite, utterance " + b);
                assertNotEquals(candidates.get(argmin(alone[b])), best.get(b).tokens());
            }
            List<Hypothesis> ctcHeavy = AttentionRescoring.builder().setDecoder(decoder).optCtcWeight(1000)
                    .optReverseWeight(reverseWeight).build().rescore(encoderOut, lengths, nbest);
            for (int b = 0; b < 2; b++) {
                assertEquals(candidates.get(argmin(alone[b])), ctcHeavy.get(b).tokens(), "CTC's favourite wins");
                double expected = alone[b][argmin(alone[b])] + 1000 * -0.1;
                assertEquals(expected, ctcHeavy.get(b).score(), 1e-6, "combined = attention + ctcWeight * ctc");
            }
        }
    }

    /** The three modes run end to end from encoder output through a CtcHead. */
    @Test
    void u2DecodingModesRunOnEncoderOutput() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            CtcHead head = CtcHead.builder().setManager(m).setModelDim(8).setVocabSize(V)
                    .optDataType(DataType.FLOAT64).build();
            U2Decoding decoding = U2Decoding.builder().setCtcHead(head).optDecoder(decoder(m)).optBeamSize(4)
                    .optReverseWeight(0.3).build();
            NDArray encoderOut = randn(m, new Shape(2, 6, 8), 9);
            long[] lengths = {6, 3};
            List<Hypothesis> greedy = decoding.ctcGreedy(encoderOut, lengths);
            List<List<Hypothesis>> beam = decoding.ctcPrefixBeamSearch(encoderOut, lengths);
            List<Hypothesis> rescored = decoding.attentionRescoring(encoderOut, lengths);
            assertEquals(2, greedy.size());
            assertEquals(2, rescored.size());
            for (int b = 0; b < 2; b++) {
                assertEquals(true, beam.get(b).size() <= 4 && !beam.get(b).isEmpty(), "n-best of at most 4");
                assertEquals(true, beam.get(b).get(0).score() >= greedy.get(b).score() - 1e-12,
                        "the best prefix is at least as likely as the best path");
                final int utt = b;
                assertEquals(true, beam.get(b).stream().anyMatch(h -> h.tokens().equals(rescored.get(utt).tokens())),
                        "rescoring picks from the n-best list");
                assertEquals(true, rescored.get(b).tokens().stream().allMatch(t -> t > 0 && t < V), "no blank");
            }
        }
    }

    private static double scoreAlone(NDManager m, BiTransformerDecoder decoder, NDArray encoderOut, int b, long length,
            List<Integer> tokens, double reverseWeight) {
        NDArray memory = encoderOut.get(b).get(":" + length).expandDims(0); // [1, T_b, d]
        int n = tokens.size();
        long[] in = new long[n + 1];
        long[] rin = new long[n + 1];
        in[0] = V - 1;
        rin[0] = V - 1;
        for (int i = 0; i < n; i++) {
            in[i + 1] = tokens.get(i);
            rin[i + 1] = tokens.get(n - 1 - i);
        }
        var out = decoder.forward(memory, m.create(new long[] {length}), m.create(in, new Shape(1, n + 1)),
                m.create(new long[] {n + 1}), m.create(rin, new Shape(1, n + 1)), false);
        double[] l2r = out.logits().logSoftmax(-1).toDoubleArray();
        double[] r2l = out.reverseLogits().logSoftmax(-1).toDoubleArray();
        double left = 0;
        double right = 0;
        for (int j = 0; j < n; j++) {
            left += l2r[j * V + tokens.get(j)];
            right += r2l[j * V + tokens.get(n - 1 - j)];
        }
        left += l2r[n * V + V - 1];
        right += r2l[n * V + V - 1];
        return (1 - reverseWeight) * left + reverseWeight * right;
    }

    private static BiTransformerDecoder decoder(NDManager m) {
        DecoderSpec config = DecoderSpec.builder().setVocabSize(V).setModelDim(8).setNumHeads(2).setNumBlocks(2)
                .optDropoutRate(0).optMaxLength(64).optDataType(DataType.FLOAT64).build();
        FeedForwardSpec ffn = FeedForwardSpec.builder().setModelDim(8).setFfnDim(16)
                .optDataType(DataType.FLOAT64).build();
        return BiTransformerDecoder.create(m, config, 1, FeedForwardFactory.dense(ffn), "decoder", 77);
    }

    private static NDArray randn(NDManager m, Shape shape, long seed) {
        Random random = new Random(seed);
        double[] v = new double[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        return m.create(v, shape);
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int argmin(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] < v[best]) {
                best = i;
            }
        }
        return best;
    }
}
