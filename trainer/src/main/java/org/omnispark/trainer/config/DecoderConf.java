package org.omnispark.trainer.config;

import static org.omnispark.trainer.config.ConfigChecks.oneOf;
import static org.omnispark.trainer.config.ConfigChecks.range;
import static org.omnispark.trainer.config.ConfigChecks.require;

import java.util.List;

/**
 * {@code decoder_conf}, as in WeNet; the decoder's model dimension is the encoder's {@code output_size}.
 *
 * @param attentionHeads heads (4)
 * @param linearUnits FFN hidden size / expert hidden size (2048)
 * @param numBlocks left-to-right decoder layers (6)
 * @param rNumBlocks right-to-left decoder layers of a bitransformer (0; U2++ uses 3 + 3)
 * @param dropoutRate (0.1)
 * @param positionalDropoutRate (0.1)
 * @param selfAttentionDropoutRate (0.0)
 * @param srcAttentionDropoutRate (0.0)
 * @param normalizeBefore pre-norm (true)
 * @param activationType relu (default), swish or gelu
 * @param ffn the feed-forward layers (dense by default)
 */
public record DecoderConf(Integer attentionHeads, Integer linearUnits, Integer numBlocks, Integer rNumBlocks,
        Double dropoutRate, Double positionalDropoutRate, Double selfAttentionDropoutRate,
        Double srcAttentionDropoutRate, Boolean normalizeBefore, String activationType, FfnConf ffn) {

    /** Fills defaults and validates. */
    public DecoderConf {
        attentionHeads = attentionHeads == null ? 4 : attentionHeads;
        linearUnits = linearUnits == null ? 2048 : linearUnits;
        numBlocks = numBlocks == null ? 6 : numBlocks;
        rNumBlocks = rNumBlocks == null ? 0 : rNumBlocks;
        dropoutRate = dropoutRate == null ? 0.1 : dropoutRate;
        positionalDropoutRate = positionalDropoutRate == null ? 0.1 : positionalDropoutRate;
        selfAttentionDropoutRate = selfAttentionDropoutRate == null ? 0.0 : selfAttentionDropoutRate;
        srcAttentionDropoutRate = srcAttentionDropoutRate == null ? 0.0 : srcAttentionDropoutRate;
        normalizeBefore = normalizeBefore == null ? Boolean.TRUE : normalizeBefore;
        require(normalizeBefore, "decoder_conf.normalize_before: false (post-norm) is not implemented; the layers "
                + "are pre-norm (true)");
        activationType = oneOf("decoder_conf.activation_type", activationType == null ? "relu" : activationType,
                List.of("swish", "relu", "gelu"));
        ffn = ffn == null ? FfnConf.dense() : ffn;
        require(attentionHeads >= 1, "decoder_conf.attention_heads must be >= 1, got " + attentionHeads);
        require(linearUnits >= 1, "decoder_conf.linear_units must be >= 1, got " + linearUnits);
        require(numBlocks >= 0 && rNumBlocks >= 0, "decoder_conf.num_blocks and decoder_conf.r_num_blocks must be "
                + ">= 0, got " + numBlocks + ", " + rNumBlocks);
        range("decoder_conf.dropout_rate", dropoutRate, 0, 0.99);
        range("decoder_conf.positional_dropout_rate", positionalDropoutRate, 0, 0.99);
        range("decoder_conf.self_attention_dropout_rate", selfAttentionDropoutRate, 0, 0.99);
        range("decoder_conf.src_attention_dropout_rate", srcAttentionDropoutRate, 0, 0.99);
    }
}
