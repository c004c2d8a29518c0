package org.omnispark.trainer.model;

import ai.djl.ndarray.types.DataType;
import org.omnispark.trainer.config.DecoderConf;
import org.omnispark.trainer.config.EncoderConf;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.decoder.DecoderSpec;
import org.omnispark.trainer.encoder.Conv2dSubsampling;
import org.omnispark.trainer.encoder.EncoderSpec;
import org.omnispark.trainer.encoder.EncoderType;

/**
 * The one place the model YAML ({@link ModelConfig}: WeNet's {@code encoder_conf}, {@code decoder_conf}) is mapped
 * onto the components' own configs ({@link EncoderSpec}, {@link DecoderSpec}); the feed-forward blocks' mapping is
 * {@link FeedForwardAssembly}'s.
 */
final class ComponentSpecs {

    private ComponentSpecs() {}

    /**
     * The YAML's encoder section as the encoder package's config.
     *
     * @param config the model config
     * @param dataType the parameters' type
     * @param seed the initialization seed
     * @return the encoder's config
     */
    static EncoderSpec encoder(ModelConfig config, DataType dataType, long seed) {
        EncoderConf enc = config.encoderConf();
        Conv2dSubsampling.Rate rate = switch (enc.subsampling()) {
            case 6 -> Conv2dSubsampling.Rate.X6;
            case 8 -> Conv2dSubsampling.Rate.X8;
            default -> Conv2dSubsampling.Rate.X4;
        };
        return EncoderSpec.builder()
                .setType(config.encoder().equals("conformer") ? EncoderType.CONFORMER : EncoderType.TRANSFORMER)
                .setInputDim(config.inputDim()).setOutputDim(enc.outputSize())
                .optAttentionHeads(enc.attentionHeads()).optLinearUnits(enc.linearUnits())
                .optNumBlocks(enc.numBlocks())
                .optDropout(enc.dropoutRate(), enc.positionalDropoutRate(), enc.attentionDropoutRate())
                .optSubsampling(rate).optConvolutionModule(enc.useCnnModule()).optCnnKernel(enc.cnnModuleKernel())
                .optCausal(enc.causal()).optStaticChunkSize(enc.staticChunkSize())
                .optDynamicChunk(enc.useDynamicChunk(), enc.useDynamicLeftChunk())
                .optDataType(dataType).optSeed(seed).build();
    }

    /**
     * The YAML's decoder section as one direction's decoder config (the right-to-left decoder takes it with {@code
     * r_num_blocks} blocks).
     *
     * @param config the model config
     * @param vocabSize V
     * @param dataType the parameters' type
     * @return the left-to-right decoder's config
     */
    static DecoderSpec decoder(ModelConfig config, int vocabSize, DataType dataType) {
        DecoderConf dec = config.decoderConf();
        return DecoderSpec.builder().setVocabSize(vocabSize).setModelDim(config.encoderConf().outputSize())
                .setNumHeads(dec.attentionHeads()).setNumBlocks(dec.numBlocks()).optDropoutRate(dec.dropoutRate())
                .optSelfAttentionDropoutRate(dec.selfAttentionDropoutRate())
                .optSourceAttentionDropoutRate(dec.srcAttentionDropoutRate()).optDataType(dataType).build();
    }
}
