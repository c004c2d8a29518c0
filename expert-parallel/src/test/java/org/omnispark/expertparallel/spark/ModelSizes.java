package org.omnispark.expertparallel.spark;

import java.util.List;
import java.util.Locale;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.config.ParameterCount;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * Prints the inputs of expert-parallel/src/test/python/scaling_model.py: total, active and replicated parameters, MoE
 * layers, d, top-k and experts of the two papers' shapes (vocabulary 5000).
 *
 * <pre>
 *   java -cp CLASSPATH org.omnispark.expertparallel.spark.ModelSizes
 * </pre>
 */
public final class ModelSizes {

    /** U2++ MoE-1B's shape as configured here: base_omni widened (d 1024, 16 heads, 12 + 3 + 3 blocks), every FFN
     * an MoE of 8 experts, top-2 (WeNet's U2++ MoE), decoder included. */
    static final List<String> U2PP_MOE_1B = List.of("encoder_conf.output_size=1024", "encoder_conf.attention_heads=16",
            "encoder_conf.linear_units=2048", "encoder_conf.ffn.type=switch", "encoder_conf.ffn.top_k=2",
            "decoder_conf.attention_heads=16", "decoder_conf.linear_units=2048", "decoder_conf.ffn.type=switch",
            "decoder_conf.ffn.num_experts=8", "decoder_conf.ffn.top_k=2");

    private ModelSizes() {}

    public static void main(String[] args) {
        print("omni", ModelConfig.load(TinyDatasets.repoRoot().resolve("conf/model/paper_omni.yaml"), List.of()));
        print("u2pp", ModelConfig.load(TinyDatasets.repoRoot().resolve("conf/model/base_omni.yaml"), U2PP_MOE_1B));
    }

    private static void print(String name, ModelConfig config) {
        ParameterCount count = ParameterCount.of(config, 5000);
        int experts = config.encoderConf().ffn().numExperts();
        int k = config.encoderConf().ffn().topK();
        // total - active = (E - k) experts' worth of every MoE layer, so the experts hold E / (E - k) of it
        long expertParams = (count.total() - count.active()) * experts / (experts - k);
        boolean conformer = config.encoder().equals("conformer");
        int moeLayers = config.encoderConf().numBlocks() * (conformer ? 2 : 1)
                + (config.decoderConf().ffn().isMoe() ? config.decoderConf().numBlocks()
                        + config.decoderConf().rNumBlocks() : 0);
        System.out.printf(Locale.ROOT, "%s=%d,%d,%d,%d,%d,%d,%d   # %s%n", name, count.total(), count.active(),
                count.total() - expertParams, moeLayers, config.encoderConf().outputSize(), k, experts,
                count.summary());
    }
}
