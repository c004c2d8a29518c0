package org.omnispark.trainer.config;

import static org.omnispark.trainer.config.ConfigChecks.oneOf;
import static org.omnispark.trainer.config.ConfigChecks.require;

import java.nio.file.Path;
import java.util.List;
import org.omnispark.data.config.ConfigLoader;

/**
 * A model config shaped like WeNet's ({@code conf/model/*.yaml}); absent keys take defaults, unknown keys are errors
 * (bound by {@link ConfigLoader}).
 *
 * <pre>
 *   encoder: conformer          # or transformer
 *   encoder_conf: {output_size: 256, attention_heads: 4, ..., ffn: {type: omni, num_experts: 8, top_k: 1}}
 *   decoder: bitransformer      # or transformer
 *   decoder_conf: {attention_heads: 4, linear_units: 2048, num_blocks: 3, r_num_blocks: 3, ffn: {...}}
 *   model_conf: {ctc_weight: 0.3, reverse_weight: 0.3, lsm_weight: 0.1, length_normalized_loss: false}
 *   spec_aug: {num_t_mask: 2, num_f_mask: 2, max_t: 50, max_f: 10}
 *   input_dim: 80               # fbank bins
 *   output_dim: 0               # vocabulary size; 0 = take it from the dataset's tokenizer
 * </pre>
 *
 * @param encoder conformer (default) or transformer
 * @param encoderConf encoder options
 * @param decoder bitransformer (default) or transformer
 * @param decoderConf decoder options
 * @param modelConf loss weights
 * @param specAug SpecAugment options
 * @param inputDim feature dimension (80)
 * @param outputDim vocabulary size, 0 = from the dataset (0)
 */
public record ModelConfig(String encoder, EncoderConf encoderConf, String decoder, DecoderConf decoderConf,
        HybridLossConf modelConf, SpecAugConf specAug, Integer inputDim, Integer outputDim) {

    /** Fills defaults and validates, including cross-section rules. */
    public ModelConfig {
        encoder = oneOf("encoder", encoder == null ? "conformer" : encoder, List.of("conformer", "transformer"));
        decoder = oneOf("decoder", decoder == null ? "bitransformer" : decoder,
                List.of("bitransformer", "transformer"));
        encoderConf = encoderConf == null ? new EncoderConf(null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null) : encoderConf;
        decoderConf = decoderConf == null ? new DecoderConf(null, null, null, null, null, null, null, null, null,
                null, null) : decoderConf;
        modelConf = modelConf == null ? new HybridLossConf(null, null, null, null) : modelConf;
        specAug = specAug == null ? new SpecAugConf(null, null, null, null) : specAug;
        inputDim = inputDim == null ? 80 : inputDim;
        outputDim = outputDim == null ? 0 : outputDim;
        require(inputDim >= 8, "input_dim must be >= 8 (fbank bins), got " + inputDim);
        require(outputDim >= 0, "output_dim must be >= 0 (0 = from the dataset), got " + outputDim);
        require(encoderConf.outputSize() % decoderConf.attentionHeads() == 0, "decoder_conf.attention_heads ("
                + decoderConf.attentionHeads() + ") must divide encoder_conf.output_size ("
                + encoderConf.outputSize() + ")");
        require(decoder.equals("bitransformer") || decoderConf.rNumBlocks() == 0,
                "decoder_conf.r_num_blocks needs decoder: bitransformer (got decoder: " + decoder + ")");
        require(modelConf.reverseWeight() == 0 || decoderConf.rNumBlocks() > 0,
                "model_conf.reverse_weight > 0 needs a right-to-left decoder: set decoder: bitransformer and "
                        + "decoder_conf.r_num_blocks >= 1");
        require(modelConf.ctcWeight() == 1.0 || decoderConf.numBlocks() > 0,
                "decoder_conf.num_blocks is 0 but model_conf.ctc_weight < 1 needs an attention decoder");
    }

    /**
     * Loads a model config.
     *
     * @param yaml the file, or null for the defaults
     * @param overrides {@code key.sub=value} overrides, e.g. {@code encoder_conf.ffn.num_experts=16}
     * @return the validated config
     */
    public static ModelConfig load(Path yaml, List<String> overrides) {
        return ConfigLoader.load(yaml, overrides, ModelConfig.class);
    }

    /**
     * @param storage the storage that reads the file
     * @param yaml the YAML file on any file system, or null for the defaults
     * @param overrides {@code key.sub=value} overrides
     * @return the validated config
     */
    public static ModelConfig load(org.omnispark.io.Storage storage, org.omnispark.io.Location yaml,
            List<String> overrides) {
        return ConfigLoader.load(storage, yaml, overrides, ModelConfig.class);
    }

    /** @return true if the model has an attention decoder (ctc_weight &lt; 1) */
    public boolean hasDecoder() {
        return modelConf.ctcWeight() < 1.0 && decoderConf.numBlocks() > 0;
    }
}
