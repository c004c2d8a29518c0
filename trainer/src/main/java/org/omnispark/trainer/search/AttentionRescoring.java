package org.omnispark.trainer.search;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.omnispark.trainer.decoder.AttentionDecoder;
import org.omnispark.trainer.decoder.DecoderOutput;
import org.omnispark.trainer.decoder.PreparedTargets;
import org.omnispark.trainer.decoder.TargetPreparation;
import org.omnispark.trainer.nn.HostSyncs;

/**
 * U2++ attention rescoring: scores each CTC n-best hypothesis with the attention decoder (teacher forcing over the
 * utterance's encoder output) and picks the best combined score (WeNet's {@code attention_rescoring}).
 *
 * <pre>
 *   l2r(y)  = sum_j log p_dec(y_j | sos, y_&lt;j) + log p_dec(eos | sos, y)
 *   r2l(y)  = the same for the reversed sequence with the right-to-left decoder
 *   score   = (1 - reverseWeight) l2r(y) + reverseWeight r2l(y) + ctcWeight ctcScore(y)
 * </pre>
 *
 * Runs with grad mode off on the calling thread (restored afterwards); temporaries live in a sub-manager of the
 * encoder output's manager and are closed before returning.
 */
public final class AttentionRescoring {

    private final AttentionDecoder decoder;
    private final TargetPreparation targets;
    private final double ctcWeight;
    private final double reverseWeight;

    private AttentionRescoring(Builder builder) {
        this.decoder = builder.decoder;
        this.targets = builder.targets;
        this.ctcWeight = builder.ctcWeight;
        this.reverseWeight = builder.reverseWeight;
    }

    /** @return a builder; setDecoder is required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Rescores n-best lists and returns the winner of each utterance.
     *
     * @param encoderOut {@code [B, T, d]}
     * @param lengths valid frames per utterance
     * @param nbest per utterance, the CTC prefix beam search's hypotheses (ctcScore set)
     * @return per utterance the best hypothesis (score = combined score); an empty list gives an empty hypothesis
     */
    public List<Hypothesis> rescore(NDArray encoderOut, long[] lengths, List<List<Hypothesis>> nbest) {
        return best(scoreAll(encoderOut, lengths, nbest));
    }

    /**
     * Rescores n-best lists and returns every hypothesis with its combined score, in the input order.
     *
     * @param encoderOut {@code [B, T, d]}
     * @param lengths valid frames per utterance
     * @param nbest per utterance, the CTC hypotheses
     * @return the same hypotheses with score = combined score
     */
    public List<List<Hypothesis>> scoreAll(NDArray encoderOut, long[] lengths, List<List<Hypothesis>> nbest) {
        long batch = encoderOut.getShape().get(0);
        if (lengths.length != batch || nbest.size() != batch) {
            throw new IllegalArgumentException("Batch of " + batch + " needs as many lengths and n-best lists, got "
                    + lengths.length + " and " + nbest.size());
        }
        Engine.getEngine("PyTorch");
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        List<List<Hypothesis>> result = new ArrayList<>();
        try (NDManager scope = encoderOut.getManager().newSubManager()) {
            for (int b = 0; b < batch; b++) {
                result.add(scoreUtterance(scope, encoderOut, b, lengths[b], nbest.get(b)));
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return result;
    }

    private List<Hypothesis> scoreUtterance(
            NDManager scope, NDArray encoderOut, int b, long length, List<Hypothesis> hyps) {
        if (hyps.isEmpty()) {
            return List.of();
        }
        int n = hyps.size();
        NDArray memory = encoderOut.get(scope, new NDIndex("{}, :{}", b, length)); // [T_b, d]
        memory = memory.expandDims(0).repeat(0, n); // [n, T_b, d]
        long[] memoryLengths = new long[n];
        Arrays.fill(memoryLengths, length);
        List<int[]> labels = new ArrayList<>(n);
        for (Hypothesis h : hyps) {
            labels.add(h.tokenArray());
        }
        PreparedTargets prepared = targets.prepare(scope, labels);
        boolean reverse = reverseWeight > 0;
        DecoderOutput out = decoder.forward(memory, scope.create(memoryLengths), prepared.ysIn(),
                prepared.ysInLengths(), reverse ? prepared.reverseYsIn() : null, false);
        double[] l2r = sequenceScores(out.logits(), labels, false);
        double[] r2l = reverse ? sequenceScores(out.reverseLogits(), labels, true) : new double[n];
        List<Hypothesis> scored = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double attention = (1 - reverseWeight) * l2r[i] + reverseWeight * r2l[i];
            Hypothesis h = hyps.get(i);
            scored.add(new Hypothesis(h.tokens(), attention + ctcWeight * h.ctcScore(), h.ctcScore()));
        }
        return scored;
    }

    /** Sum of log p(token) over the sequence (reversed if asked) plus log p(eos) after it; logits [n, L, V]. */
    private double[] sequenceScores(NDArray logits, List<int[]> labels, boolean reversed) {
        int width = Math.toIntExact(logits.getShape().get(1));
        int vocab = Math.toIntExact(logits.getShape().get(2));
        double[] logp = HostSyncs.doubles(logits.logSoftmax(-1), HostSyncs.Kind.DECODING);
        double[] scores = new double[labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            int[] y = labels.get(i);
            double s = 0;
            for (int j = 0; j < y.length; j++) {
                int token = reversed ? y[y.length - 1 - j] : y[j];
                s += logp[(i * width + j) * vocab + token];
            }
            s += logp[(i * width + y.length) * vocab + targets.eos()];
            scores[i] = s;
        }
        return scores;
    }

    private static List<Hypothesis> best(List<List<Hypothesis>> scored) {
        List<Hypothesis> result = new ArrayList<>(scored.size());
        for (List<Hypothesis> hyps : scored) {
            Hypothesis best = null;
            for (Hypothesis h : hyps) {
                if (best == null || h.score() > best.score()) {
                    best = h;
                }
            }
            result.add(best == null ? new Hypothesis(List.of(), 0, 0) : best);
        }
        return result;
    }

    /** Builder of {@link AttentionRescoring}. */
    public static final class Builder {
        private AttentionDecoder decoder;
        private TargetPreparation targets;
        private double ctcWeight = 0.3;
        private double reverseWeight;

        /** @param decoder the (bidirectional) attention decoder @return this */
        public Builder setDecoder(AttentionDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /** @param targets sos/eos ids; default WeNet's (V - 1) for the decoder's vocabulary @return this */
        public Builder optTargets(TargetPreparation targets) {
            this.targets = targets;
            return this;
        }

        /** @param ctcWeight weight of the CTC score, default 0.3 @return this */
        public Builder optCtcWeight(double ctcWeight) {
            this.ctcWeight = ctcWeight;
            return this;
        }

        /** @param reverseWeight weight of the right-to-left decoder, default 0 (U2++ recipes use 0.3) @return this */
        public Builder optReverseWeight(double reverseWeight) {
            this.reverseWeight = reverseWeight;
            return this;
        }

        /** @return the rescoring */
        public AttentionRescoring build() {
            if (decoder == null) {
                throw new IllegalStateException("AttentionRescoring needs setDecoder(a TransformerDecoder or "
                        + "BiTransformerDecoder)");
            }
            if (reverseWeight < 0 || reverseWeight > 1) {
                throw new IllegalStateException("reverseWeight must be in [0, 1], got " + reverseWeight);
            }
            if (reverseWeight > 0 && !decoder.isBidirectional()) {
                throw new IllegalStateException("reverseWeight " + reverseWeight + " needs a bidirectional decoder; "
                        + "use a BiTransformerDecoder or optReverseWeight(0)");
            }
            if (ctcWeight < 0) {
                throw new IllegalStateException("ctcWeight must be >= 0, got " + ctcWeight);
            }
            if (targets == null) {
                targets = TargetPreparation.forVocabulary(decoder.vocabSize());
            }
            return new AttentionRescoring(this);
        }
    }
}
