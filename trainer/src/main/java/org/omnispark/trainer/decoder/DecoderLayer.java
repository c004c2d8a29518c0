package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.omnispark.trainer.encoder.FeedForwardModule;
import org.omnispark.trainer.encoder.FeedForwardOutput;
import org.omnispark.trainer.encoder.MultiHeadedAttention;
import org.omnispark.trainer.nn.Dropout;
import org.omnispark.trainer.nn.LayerNorm;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterOwner;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * One pre-LN Transformer decoder layer (WeNet's {@code DecoderLayer} with normalize_before, no concat_after):
 *
 * <pre>
 *   x = tgt + dropout(self_attn(norm1(tgt), tgtMask))                     tgt [B, L, d], tgtMask [B, L, L]
 *   x = x   + dropout(src_attn(norm2(x), memory, memoryMask))             memory [B, T, d], memoryMask [B, 1, T]
 *   x = x   + dropout(feed_forward(norm3(x)))                             dense or MoE
 * </pre>
 */
public final class DecoderLayer implements ParameterOwner {

    private final MultiHeadedAttention selfAttention;
    private final MultiHeadedAttention sourceAttention;
    private final FeedForwardModule feedForward;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;
    private final Dropout dropout;

    /**
     * Assembles a layer from its parts (see {@link #create} for the usual way).
     *
     * @param selfAttention masked self-attention
     * @param sourceAttention cross-attention on the encoder output
     * @param feedForward dense or MoE block
     * @param norms the three LayerNorms (before self-attention, cross-attention, feed-forward)
     * @param dropoutRate residual-branch dropout
     */
    public DecoderLayer(MultiHeadedAttention selfAttention, MultiHeadedAttention sourceAttention,
            FeedForwardModule feedForward, List<LayerNorm> norms, double dropoutRate) {
        if (norms.size() != 3) {
            throw new IllegalArgumentException("A decoder layer needs 3 LayerNorms, got " + norms.size());
        }
        this.selfAttention = selfAttention;
        this.sourceAttention = sourceAttention;
        this.feedForward = feedForward;
        this.norm1 = norms.get(0);
        this.norm2 = norms.get(1);
        this.norm3 = norms.get(2);
        this.dropout = new Dropout(dropoutRate);
    }

    /**
     * Creates a layer with fresh parameters.
     *
     * @param manager the model's long-lived manager
     * @param config the decoder's config (d, heads, dropouts, eps, data type)
     * @param feedForward the feed-forward block (from a {@code FeedForwardFactory})
     * @param name parameter name prefix, e.g. {@code "decoder.left.layer0"}
     * @param seed initialization seed (uses seed .. seed + 29)
     * @return the layer
     */
    public static DecoderLayer create(
            NDManager manager, DecoderSpec config, FeedForwardModule feedForward, String name, long seed) {
        int d = config.modelDim();
        MultiHeadedAttention self = new MultiHeadedAttention(manager, name + ".self_attn", d, config.numHeads(),
                config.selfAttentionDropoutRate(), config.dataType(), seed);
        MultiHeadedAttention src = new MultiHeadedAttention(manager, name + ".src_attn", d, config.numHeads(),
                config.sourceAttentionDropoutRate(), config.dataType(), seed + 10);
        List<LayerNorm> norms = List.of(
                LayerNorm.create(manager, name + ".norm1", d, config.layerNormEps(), config.dataType()),
                LayerNorm.create(manager, name + ".norm2", d, config.layerNormEps(), config.dataType()),
                LayerNorm.create(manager, name + ".norm3", d, config.layerNormEps(), config.dataType()));
        return new DecoderLayer(self, src, feedForward, norms, config.dropoutRate());
    }

    /**
     * Runs the layer.
     *
     * @param tgt {@code [B, L, d]}
     * @param tgtMask boolean {@code [B, L, L]}: causal and key-padding (true = may attend)
     * @param memory {@code [B, T, d]}
     * @param memoryMask boolean {@code [B, 1, T]} (true = real frame)
     * @param validTokens B*L row-major flags of real target positions (MoE routing skips padding); null = all
     * @param training enables dropout and router jitter
     * @return output {@code [B, L, d]} and the feed-forward's MoE output (aux losses), if any
     */
    public FeedForwardOutput forward(NDArray tgt, NDArray tgtMask, NDArray memory, NDArray memoryMask,
            boolean[] validTokens, boolean training) {
        NDArray q = norm1.forward(tgt);
        NDArray x = tgt.add(dropout.forward(
                selfAttention.forward(q, q, q, tgtMask, null, null, training).output(), training));
        NDArray h = norm2.forward(x);
        x = x.add(dropout.forward(
                sourceAttention.forward(h, memory, memory, memoryMask, null, null, training).output(), training));
        if (feedForward.isMoe()) {
            x = StagedBackward.cut(x); // expert parallelism: see StagedBackward
        }
        FeedForwardOutput ffn = feedForward.forward(norm3.forward(x), validTokens, training);
        x = x.add(dropout.forward(ffn.output(), training));
        return new FeedForwardOutput(x, ffn.moe());
    }

    /** @return self-attention (for loading weights) */
    public MultiHeadedAttention selfAttention() {
        return selfAttention;
    }

    /** @return cross-attention (for loading weights) */
    public MultiHeadedAttention sourceAttention() {
        return sourceAttention;
    }

    /** @return the feed-forward block */
    public FeedForwardModule feedForward() {
        return feedForward;
    }

    /** @return norm1, norm2, norm3 */
    public List<LayerNorm> norms() {
        return List.of(norm1, norm2, norm3);
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>(selfAttention.parameters());
        list.addAll(sourceAttention.parameters());
        list.addAll(feedForward.parameters());
        list.addAll(norm1.parameters());
        list.addAll(norm2.parameters());
        list.addAll(norm3.parameters());
        return Collections.unmodifiableList(list);
    }
}
