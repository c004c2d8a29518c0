package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.omnispark.trainer.nn.LayerNorm;

/**
 * A Conformer encoder (U2++): {@link Conv2dSubsampling}, N {@link ConformerEncoderLayer}s with relative-position
 * attention (by default), macaron FFs and a convolution module (causal for streaming), final LayerNorm.
 *
 * <p>Parameter names follow WeNet: {@code encoder.layers.<i>.self_attn}, {@code .feed_forward_macaron}, {@code
 * .feed_forward}, {@code .conv_module}, {@code .norm_ff_macaron}, {@code .norm_mha}, {@code .norm_conv}, {@code
 * .norm_ff}, {@code .norm_final}. FF block indices: {@code 2i} (macaron) and {@code 2i + 1} with macaron, {@code i}
 * without.
 */
public final class ConformerEncoder extends BaseEncoder {

    private ConformerEncoder(NDManager manager, EncoderSpec config, GlobalCmvn cmvn, List<EncoderLayer> layers) {
        super(manager, config, cmvn, layers);
    }

    /**
     * Builds the encoder.
     *
     * @param manager the model's long-lived manager
     * @param config a CONFORMER configuration
     * @param feedForward dense or MoE blocks
     * @param cmvn global CMVN, or null
     * @return the encoder
     */
    public static ConformerEncoder create(
            NDManager manager, EncoderSpec config, FeedForwardFactory feedForward, GlobalCmvn cmvn) {
        if (config.type() != EncoderType.CONFORMER) {
            throw new IllegalArgumentException("ConformerEncoder needs type CONFORMER, got " + config.type());
        }
        int d = config.outputDim();
        DataType dataType = config.dataType();
        double eps = config.layerNormEps();
        List<EncoderLayer> layers = new ArrayList<>();
        int ffnIndex = 0;
        for (int i = 0; i < config.numBlocks(); i++) {
            String name = "encoder.layers." + i;
            long seed = config.seed() + 1000L * (i + 1);
            MultiHeadedAttention attention = selfAttention(manager, config, name + ".self_attn", seed);
            FeedForwardModule macaron = null;
            LayerNorm normMacaron = null;
            if (config.macaron()) {
                macaron = feedForward.create(manager, ffnIndex++, name + ".feed_forward_macaron", seed + 100);
                normMacaron = LayerNorm.create(manager, name + ".norm_ff_macaron", d, eps, dataType);
            }
            ConvolutionModule conv = null;
            LayerNorm normConv = null;
            LayerNorm normFinal = null;
            if (config.convolutionModule()) {
                conv = new ConvolutionModule(manager, name + ".conv_module", d, config.cnnKernel(), config.causal(),
                        eps, dataType, seed + 200);
                normConv = LayerNorm.create(manager, name + ".norm_conv", d, eps, dataType);
                normFinal = LayerNorm.create(manager, name + ".norm_final", d, eps, dataType);
            }
            FeedForwardModule ff = feedForward.create(manager, ffnIndex++, name + ".feed_forward", seed + 300);
            LayerNorm normMha = LayerNorm.create(manager, name + ".norm_mha", d, eps, dataType);
            LayerNorm normFf = LayerNorm.create(manager, name + ".norm_ff", d, eps, dataType);
            layers.add(new ConformerEncoderLayer(attention, macaron, ff, conv,
                    Arrays.asList(normMacaron, normMha, normConv, normFf, normFinal), config.dropoutRate()));
        }
        return new ConformerEncoder(manager, config, cmvn, layers);
    }

    @Override
    protected void checkStreamable() {
        if (config.convolutionModule() && !config.causal()) {
            throw new IllegalStateException("Chunk-by-chunk decoding needs a causal convolution; build the encoder "
                    + "with optCausal(true)");
        }
    }
}
