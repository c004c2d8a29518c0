package org.omnispark.trainer.config;

import static org.omnispark.trainer.config.ConfigChecks.oneOf;
import static org.omnispark.trainer.config.ConfigChecks.range;
import static org.omnispark.trainer.config.ConfigChecks.require;

import java.util.List;

/**
 * {@code encoder_conf}, as in WeNet. Defaults are WeNet's Conformer defaults.
 *
 * @param outputSize model dimension d (256)
 * @param attentionHeads heads; must divide output_size (4)
 * @param linearUnits FFN hidden size (dense) or each expert's hidden size (MoE) (2048)
 * @param numBlocks layers (12)
 * @param dropoutRate (0.1)
 * @param positionalDropoutRate (0.1)
 * @param attentionDropoutRate (0.0)
 * @param inputLayer subsampling: conv2d (4x), conv2d6 (6x), conv2d8 (8x)
 * @param normalizeBefore pre-norm (true)
 * @param cnnModuleKernel Conformer depthwise kernel, odd (15)
 * @param useCnnModule Conformer convolution module (true)
 * @param causal causal convolution for streaming (false)
 * @param staticChunkSize fixed chunk size in frames after subsampling, 0 = full context (0)
 * @param useDynamicChunk dynamic chunk training (U2++) (false)
 * @param useDynamicLeftChunk dynamic left context with dynamic chunks (false)
 * @param activationType swish (Conformer), relu or gelu
 * @param ffn the feed-forward layers (dense by default)
 */
public record EncoderConf(Integer outputSize, Integer attentionHeads, Integer linearUnits, Integer numBlocks,
        Double dropoutRate, Double positionalDropoutRate, Double attentionDropoutRate, String inputLayer,
        Boolean normalizeBefore, Integer cnnModuleKernel, Boolean useCnnModule, Boolean causal,
        Integer staticChunkSize, Boolean useDynamicChunk, Boolean useDynamicLeftChunk, String activationType,
        FfnConf ffn) {

    /** Fills defaults and validates. */
    public EncoderConf {
        outputSize = outputSize == null ? 256 : outputSize;
        attentionHeads = attentionHeads == null ? 4 : attentionHeads;
        linearUnits = linearUnits == null ? 2048 : linearUnits;
        numBlocks = numBlocks == null ? 12 : numBlocks;
        dropoutRate = dropoutRate == null ? 0.1 : dropoutRate;
        positionalDropoutRate = positionalDropoutRate == null ? 0.1 : positionalDropoutRate;
        attentionDropoutRate = attentionDropoutRate == null ? 0.0 : attentionDropoutRate;
        inputLayer = oneOf("encoder_conf.input_layer", inputLayer == null ? "conv2d" : inputLayer,
                List.of("conv2d", "conv2d6", "conv2d8"));
        normalizeBefore = normalizeBefore == null ? Boolean.TRUE : normalizeBefore;
        require(normalizeBefore, "encoder_conf.normalize_before: false (post-norm) is not implemented; the layers "
                + "are pre-norm (true)");
        cnnModuleKernel = cnnModuleKernel == null ? 15 : cnnModuleKernel;
        useCnnModule = useCnnModule == null ? Boolean.TRUE : useCnnModule;
        causal = causal == null ? Boolean.FALSE : causal;
        staticChunkSize = staticChunkSize == null ? 0 : staticChunkSize;
        useDynamicChunk = useDynamicChunk == null ? Boolean.FALSE : useDynamicChunk;
        useDynamicLeftChunk = useDynamicLeftChunk == null ? Boolean.FALSE : useDynamicLeftChunk;
        activationType = oneOf("encoder_conf.activation_type", activationType == null ? "swish" : activationType,
                List.of("swish", "relu", "gelu"));
        ffn = ffn == null ? FfnConf.dense() : ffn;
        require(outputSize >= 1 && attentionHeads >= 1 && outputSize % attentionHeads == 0,
                "encoder_conf.attention_heads (" + attentionHeads + ") must divide encoder_conf.output_size ("
                        + outputSize + ")");
        require(linearUnits >= 1, "encoder_conf.linear_units must be >= 1, got " + linearUnits);
        require(numBlocks >= 1, "encoder_conf.num_blocks must be >= 1, got " + numBlocks);
        range("encoder_conf.dropout_rate", dropoutRate, 0, 0.99);
        range("encoder_conf.positional_dropout_rate", positionalDropoutRate, 0, 0.99);
        range("encoder_conf.attention_dropout_rate", attentionDropoutRate, 0, 0.99);
        require(cnnModuleKernel >= 1 && cnnModuleKernel % 2 == 1,
                "encoder_conf.cnn_module_kernel must be odd and >= 1, got " + cnnModuleKernel);
        require(staticChunkSize >= 0, "encoder_conf.static_chunk_size must be >= 0, got " + staticChunkSize);
        require(!(useDynamicChunk && staticChunkSize > 0), "encoder_conf.use_dynamic_chunk and "
                + "encoder_conf.static_chunk_size > 0 exclude each other; set static_chunk_size: 0");
        require(!useDynamicLeftChunk || useDynamicChunk,
                "encoder_conf.use_dynamic_left_chunk needs encoder_conf.use_dynamic_chunk: true");
    }

    /** @return the subsampling factor of input_layer: 4, 6 or 8 */
    public int subsampling() {
        return switch (inputLayer) {
            case "conv2d6" -> 6;
            case "conv2d8" -> 8;
            default -> 4;
        };
    }
}
