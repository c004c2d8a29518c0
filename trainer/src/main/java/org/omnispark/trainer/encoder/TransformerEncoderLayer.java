package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.nn.Dropout;
import org.omnispark.trainer.nn.LayerNorm;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * A pre-norm Transformer block (WeNet {@code TransformerEncoderLayer}, normalize_before):
 *
 * <pre>
 *   x = x + dropout(MHSA(LN1(x), mask, posEmb, cache))
 *   x = x + dropout(FF(LN2(x)))            -- FF dense or MoE (Switch / Omni-router)
 * </pre>
 */
public final class TransformerEncoderLayer implements EncoderLayer {

    private final MultiHeadedAttention selfAttention;
    private final FeedForwardModule feedForward;
    private final LayerNorm normAttention;
    private final LayerNorm normFeedForward;
    private final Dropout dropout;

    /**
     * Assembles the layer.
     *
     * @param selfAttention MHSA (plain or relative)
     * @param feedForward the FF block
     * @param normAttention LN before the attention
     * @param normFeedForward LN before the FF block
     * @param dropoutRate residual dropout
     */
    public TransformerEncoderLayer(
            MultiHeadedAttention selfAttention, FeedForwardModule feedForward, LayerNorm normAttention,
            LayerNorm normFeedForward, double dropoutRate) {
        if (selfAttention == null || feedForward == null || normAttention == null || normFeedForward == null) {
            throw new IllegalArgumentException("A Transformer layer needs self-attention, a FF block and two norms");
        }
        this.selfAttention = selfAttention;
        this.feedForward = feedForward;
        this.normAttention = normAttention;
        this.normFeedForward = normFeedForward;
        this.dropout = new Dropout(dropoutRate);
    }

    @Override
    public EncoderLayerOutput forward(
            NDArray x, LayerContext context, NDArray attentionCache, NDArray convolutionCache) {
        boolean training = context.training();
        NDArray h = normAttention.forward(x);
        AttentionOutput att = selfAttention.forward(
                h, h, h, context.attentionMask(), context.posEmb(), attentionCache, training);
        x = x.add(dropout.forward(att.output(), training));
        x = ConformerEncoderLayer.cutBeforeMoe(x, feedForward);
        FeedForwardOutput ff = feedForward.forward(normFeedForward.forward(x), context.validMask(), training);
        x = x.add(dropout.forward(ff.output(), training));
        List<MoeOutput> moe = ff.moe() == null ? List.of() : List.of(ff.moe());
        return new EncoderLayerOutput(x, att.newCache(), null, moe);
    }

    @Override
    public int numFeedForwardBlocks() {
        return 1;
    }

    /** @return the self-attention */
    public MultiHeadedAttention selfAttention() {
        return selfAttention;
    }

    /** @return the FF block */
    public FeedForwardModule feedForward() {
        return feedForward;
    }

    /** @return LN before attention, LN before FF */
    public List<LayerNorm> norms() {
        return List.of(normAttention, normFeedForward);
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>(normAttention.parameters());
        list.addAll(selfAttention.parameters());
        list.addAll(normFeedForward.parameters());
        list.addAll(feedForward.parameters());
        return list;
    }
}
