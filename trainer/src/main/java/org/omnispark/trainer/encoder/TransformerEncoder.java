package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.nn.LayerNorm;

/**
 * A Transformer encoder (Omni-router Transformer, WeNet {@code TransformerEncoder}): {@link Conv2dSubsampling}, N
 * pre-norm {@link TransformerEncoderLayer}s (absolute positions by default), final LayerNorm. FF block {@code i}
 * belongs to layer {@code i}. Parameter names: {@code encoder.layers.<i>.self_attn}, {@code .feed_forward}, {@code
 * .norm1}, {@code .norm2}.
 */
public final class TransformerEncoder extends BaseEncoder {

    private TransformerEncoder(NDManager manager, EncoderSpec config, GlobalCmvn cmvn, List<EncoderLayer> layers) {
        super(manager, config, cmvn, layers);
    }

    /**
     * Builds the encoder.
     *
     * @param manager the model's long-lived manager
     * @param config a TRANSFORMER configuration
     * @param feedForward dense or MoE blocks
     * @param cmvn global CMVN, or null
     * @return the encoder
     */
    public static TransformerEncoder create(
            NDManager manager, EncoderSpec config, FeedForwardFactory feedForward, GlobalCmvn cmvn) {
        if (config.type() != EncoderType.TRANSFORMER) {
            throw new IllegalArgumentException("TransformerEncoder needs type TRANSFORMER, got " + config.type());
        }
        int d = config.outputDim();
        DataType dataType = config.dataType();
        List<EncoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < config.numBlocks(); i++) {
            String name = "encoder.layers." + i;
            long seed = config.seed() + 1000L * (i + 1);
            MultiHeadedAttention attention = selfAttention(manager, config, name + ".self_attn", seed);
            FeedForwardModule ff = feedForward.create(manager, i, name + ".feed_forward", seed + 300);
            layers.add(new TransformerEncoderLayer(attention, ff,
                    LayerNorm.create(manager, name + ".norm1", d, config.layerNormEps(), dataType),
                    LayerNorm.create(manager, name + ".norm2", d, config.layerNormEps(), dataType),
                    config.dropoutRate()));
        }
        return new TransformerEncoder(manager, config, cmvn, layers);
    }

    @Override
    protected void checkStreamable() {
        // attention caches are all a Transformer needs
    }
}
