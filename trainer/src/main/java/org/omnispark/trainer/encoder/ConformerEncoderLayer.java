package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.nn.Dropout;
import org.omnispark.trainer.nn.LayerNorm;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.Scalars;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * A Conformer block (Gulati et al.; WeNet {@code ConformerEncoderLayer}, pre-norm):
 *
 * <pre>
 *   x = x + 0.5 * dropout(FF1(LN_ff_macaron(x)))          -- macaron only
 *   x = x + dropout(MHSA(LN_mha(x), mask, posEmb, cache))
 *   x = x + dropout(Conv(LN_conv(x), padMask, cnnCache))   -- when a convolution module is given
 *   x = x + 0.5 * dropout(FF2(LN_ff(x)))                   -- factor 1 without macaron
 *   x = LN_final(x)                                        -- when a convolution module is given
 * </pre>
 *
 * Each FF block is a {@link FeedForwardModule}, dense or MoE; MoE blocks route only the frames of {@code
 * context.validMask()}.
 */
public final class ConformerEncoderLayer implements EncoderLayer {

    private final MultiHeadedAttention selfAttention;
    private final FeedForwardModule feedForwardMacaron;
    private final FeedForwardModule feedForward;
    private final ConvolutionModule convolution;
    private final LayerNorm normFeedForwardMacaron;
    private final LayerNorm normAttention;
    private final LayerNorm normConvolution;
    private final LayerNorm normFeedForward;
    private final LayerNorm normFinal;
    private final Dropout dropout;
    private final double feedForwardScale;

    /**
     * Assembles the layer from its parts (see {@link ConformerEncoder} for the usual construction).
     *
     * @param selfAttention MHSA (usually {@link RelPositionMultiHeadedAttention})
     * @param feedForwardMacaron the first FF block, or null for no macaron
     * @param feedForward the second FF block
     * @param convolution the convolution module, or null
     * @param norms LayerNorms in order: ff_macaron (or null), mha, conv (or null), ff, final (or null)
     * @param dropoutRate residual dropout
     */
    public ConformerEncoderLayer(
            MultiHeadedAttention selfAttention,
            FeedForwardModule feedForwardMacaron,
            FeedForwardModule feedForward,
            ConvolutionModule convolution,
            List<LayerNorm> norms,
            double dropoutRate) {
        if (selfAttention == null || feedForward == null || norms.size() != 5) {
            throw new IllegalArgumentException("A Conformer layer needs self-attention, a feed-forward block and 5"
                    + " norm slots (ff_macaron, mha, conv, ff, final; null where the part is absent)");
        }
        if ((feedForwardMacaron == null) != (norms.get(0) == null) || (convolution == null) != (norms.get(2) == null)
                || (convolution == null) != (norms.get(4) == null) || norms.get(1) == null || norms.get(3) == null) {
            throw new IllegalArgumentException("The norm slots must match the parts: ff_macaron and conv/final norms"
                    + " are present exactly when the macaron FF and the convolution module are");
        }
        this.selfAttention = selfAttention;
        this.feedForwardMacaron = feedForwardMacaron;
        this.feedForward = feedForward;
        this.convolution = convolution;
        this.normFeedForwardMacaron = norms.get(0);
        this.normAttention = norms.get(1);
        this.normConvolution = norms.get(2);
        this.normFeedForward = norms.get(3);
        this.normFinal = norms.get(4);
        this.dropout = new Dropout(dropoutRate);
        this.feedForwardScale = feedForwardMacaron == null ? 1.0 : 0.5;
    }

    @Override
    public EncoderLayerOutput forward(
            NDArray x, LayerContext context, NDArray attentionCache, NDArray convolutionCache) {
        boolean training = context.training();
        List<MoeOutput> moe = new ArrayList<>(2);
        if (feedForwardMacaron != null) {
            x = cutBeforeMoe(x, feedForwardMacaron);
            FeedForwardOutput ff = feedForwardMacaron.forward(
                    normFeedForwardMacaron.forward(x), context.validMask(), training); // [B, T, d]
            x = x.add(Scalars.mul(dropout.forward(ff.output(), training), feedForwardScale));
            addMoe(moe, ff);
        }
        NDArray h = normAttention.forward(x);
        AttentionOutput att = selfAttention.forward(
                h, h, h, context.attentionMask(), context.posEmb(), attentionCache, training);
        x = x.add(dropout.forward(att.output(), training));
        NDArray newConvolutionCache = null;
        if (convolution != null) {
            ConvolutionModule.Output conv =
                    convolution.forward(normConvolution.forward(x), context.padMask(), convolutionCache);
            x = x.add(dropout.forward(conv.output(), training));
            newConvolutionCache = conv.newCache();
        }
        x = cutBeforeMoe(x, feedForward);
        FeedForwardOutput ff = feedForward.forward(normFeedForward.forward(x), context.validMask(), training);
        x = x.add(Scalars.mul(dropout.forward(ff.output(), training), feedForwardScale));
        addMoe(moe, ff);
        if (normFinal != null) {
            x = normFinal.forward(x);
        }
        return new EncoderLayerOutput(x, att.newCache(), newConvolutionCache, moe);
    }

    /** Cuts the residual stream before an MoE block under a StagedBackward (expert parallelism); else x. */
    static NDArray cutBeforeMoe(NDArray x, FeedForwardModule block) {
        return block.isMoe() ? StagedBackward.cut(x) : x;
    }

    private static void addMoe(List<MoeOutput> list, FeedForwardOutput ff) {
        if (ff.moe() != null) {
            list.add(ff.moe());
        }
    }

    @Override
    public int numFeedForwardBlocks() {
        return feedForwardMacaron == null ? 1 : 2;
    }

    /** @return the self-attention */
    public MultiHeadedAttention selfAttention() {
        return selfAttention;
    }

    /** @return the macaron FF block, or null */
    public FeedForwardModule feedForwardMacaron() {
        return feedForwardMacaron;
    }

    /** @return the second FF block */
    public FeedForwardModule feedForward() {
        return feedForward;
    }

    /** @return the convolution module, or null */
    public ConvolutionModule convolution() {
        return convolution;
    }

    /** @return the norms ff_macaron, mha, conv, ff, final (null where absent) */
    public List<LayerNorm> norms() {
        List<LayerNorm> list = new ArrayList<>();
        list.add(normFeedForwardMacaron);
        list.add(normAttention);
        list.add(normConvolution);
        list.add(normFeedForward);
        list.add(normFinal);
        return list;
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>();
        if (feedForwardMacaron != null) {
            list.addAll(normFeedForwardMacaron.parameters());
            list.addAll(feedForwardMacaron.parameters());
        }
        list.addAll(normAttention.parameters());
        list.addAll(selfAttention.parameters());
        if (convolution != null) {
            list.addAll(normConvolution.parameters());
            list.addAll(convolution.parameters());
        }
        list.addAll(normFeedForward.parameters());
        list.addAll(feedForward.parameters());
        if (normFinal != null) {
            list.addAll(normFinal.parameters());
        }
        return list;
    }
}
