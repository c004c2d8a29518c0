package org.omnispark.trainer.search;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.omnispark.trainer.ctc.CtcHead;
import org.omnispark.trainer.decoder.AttentionDecoder;

/**
 * The U2++ decoding modes on encoder output {@code [B, T, d]} and valid lengths {@code [B]}: CTC greedy search, CTC
 * prefix beam search, and attention rescoring of the prefix beam's n-best list. Runs with grad mode off on the
 * calling thread (restored afterwards).
 *
 * <pre>
 *   U2Decoding dec = U2Decoding.builder().setCtcHead(head).optDecoder(biDecoder).optBeamSize(10)
 *           .optCtcWeight(0.3).optReverseWeight(0.3).build();
 *   List&lt;Hypothesis&gt; best = dec.attentionRescoring(encoderOut, lengths);
 * </pre>
 */
public final class U2Decoding {

    private final CtcHead ctcHead;
    private final CtcGreedySearch greedy;
    private final CtcPrefixBeamSearch beam;
    private final AttentionRescoring rescoring;

    private U2Decoding(Builder builder) {
        this.ctcHead = builder.ctcHead;
        int blank = builder.ctcHead.ctcLoss().blank();
        this.greedy = new CtcGreedySearch(blank);
        this.beam = new CtcPrefixBeamSearch(builder.beamSize, blank);
        this.rescoring = builder.decoder == null ? null : AttentionRescoring.builder()
                .setDecoder(builder.decoder)
                .optCtcWeight(builder.ctcWeight)
                .optReverseWeight(builder.reverseWeight)
                .build();
    }

    /** @return a builder; setCtcHead is required, optDecoder is needed for attention rescoring */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * CTC greedy search.
     *
     * @param encoderOut {@code [B, T, d]}
     * @param lengths valid frames per utterance
     * @return the best path's labels per utterance
     */
    public List<Hypothesis> ctcGreedy(NDArray encoderOut, long[] lengths) {
        return withoutGrad(encoderOut, logProbs -> greedy.search(logProbs, lengths));
    }

    /**
     * CTC prefix beam search.
     *
     * @param encoderOut {@code [B, T, d]}
     * @param lengths valid frames per utterance
     * @return per utterance the n-best list, best first
     */
    public List<List<Hypothesis>> ctcPrefixBeamSearch(NDArray encoderOut, long[] lengths) {
        return withoutGrad(encoderOut, logProbs -> beam.search(logProbs, lengths));
    }

    /**
     * CTC prefix beam search followed by attention rescoring.
     *
     * @param encoderOut {@code [B, T, d]}
     * @param lengths valid frames per utterance
     * @return the rescored best hypothesis per utterance
     */
    public List<Hypothesis> attentionRescoring(NDArray encoderOut, long[] lengths) {
        if (rescoring == null) {
            throw new IllegalStateException("Attention rescoring needs optDecoder(...) on the builder");
        }
        return rescoring.rescore(encoderOut, lengths, ctcPrefixBeamSearch(encoderOut, lengths));
    }

    private <R> R withoutGrad(NDArray encoderOut, java.util.function.Function<NDArray, R> search) {
        Engine.getEngine("PyTorch");
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = encoderOut.getManager().newSubManager()) {
            NDArray input = encoderOut.get(scope, new NDIndex("...")); // a view owned by scope: temporaries go there
            return search.apply(ctcHead.logProbs(input)); // [B, T, V]
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Builder of {@link U2Decoding}. */
    public static final class Builder {
        private CtcHead ctcHead;
        private AttentionDecoder decoder;
        private int beamSize = 10;
        private double ctcWeight = 0.3;
        private double reverseWeight;

        /** @param ctcHead the model's CTC head (projection + log-softmax; its loss gives the blank id) @return this */
        public Builder setCtcHead(CtcHead ctcHead) {
            this.ctcHead = ctcHead;
            return this;
        }

        /** @param decoder attention decoder for rescoring @return this */
        public Builder optDecoder(AttentionDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /** @param beamSize prefix beam size, default 10 @return this */
        public Builder optBeamSize(int beamSize) {
            this.beamSize = beamSize;
            return this;
        }

        /** @param ctcWeight CTC weight in rescoring, default 0.3 @return this */
        public Builder optCtcWeight(double ctcWeight) {
            this.ctcWeight = ctcWeight;
            return this;
        }

        /** @param reverseWeight right-to-left weight in rescoring, default 0 @return this */
        public Builder optReverseWeight(double reverseWeight) {
            this.reverseWeight = reverseWeight;
            return this;
        }

        /** @return the decoding */
        public U2Decoding build() {
            if (ctcHead == null) {
                throw new IllegalStateException("U2Decoding needs setCtcHead(the model's CtcHead)");
            }
            return new U2Decoding(this);
        }
    }
}
