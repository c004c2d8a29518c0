package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.omnispark.trainer.encoder.FeedForwardFactory;
import org.omnispark.trainer.encoder.FeedForwardOutput;
import org.omnispark.trainer.nn.Embedding;
import org.omnispark.trainer.nn.LayerNorm;
import org.omnispark.trainer.nn.Linear;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.PositionalEncoding;

/**
 * WeNet's {@code TransformerDecoder} (left-to-right):
 *
 * <pre>
 *   x      = posenc(embed(ysIn))                 ysIn [B, L] -&gt; [B, L, d]   (x * sqrt(d) + pe, dropout)
 *   x      = layer_i(x, causalMask, memory, memoryMask)   for each of numBlocks layers
 *   logits = linear(after_norm(x))               [B, L, V]
 * </pre>
 *
 * The feed-forward blocks come from a {@link FeedForwardFactory}: dense, or MoE (U2++ MoE replaces every FFN) with
 * ffnIndex = layer index.
 */
public final class TransformerDecoder implements AttentionDecoder {

    private final DecoderSpec config;
    private final Embedding embedding;
    private final PositionalEncoding positionalEncoding;
    private final List<DecoderLayer> layers;
    private final LayerNorm afterNorm;
    private final Linear outputLayer;

    private TransformerDecoder(DecoderSpec config, Embedding embedding, PositionalEncoding positionalEncoding,
            List<DecoderLayer> layers, LayerNorm afterNorm, Linear outputLayer) {
        this.config = config;
        this.embedding = embedding;
        this.positionalEncoding = positionalEncoding;
        this.layers = List.copyOf(layers);
        this.afterNorm = afterNorm;
        this.outputLayer = outputLayer;
    }

    /**
     * Creates a decoder with fresh parameters.
     *
     * @param manager the model's long-lived manager
     * @param config shape and options
     * @param feedForward makes each layer's FFN (e.g. {@code FeedForwardFactory.dense(ffnConfig)})
     * @param name parameter name prefix, e.g. {@code "decoder.left"}
     * @param seed initialization seed
     * @return the decoder
     */
    public static TransformerDecoder create(
            NDManager manager, DecoderSpec config, FeedForwardFactory feedForward, String name, long seed) {
        Embedding embedding = Embedding.create(
                manager, name + ".embed", config.vocabSize(), config.modelDim(), config.dataType(), seed);
        PositionalEncoding pe = new PositionalEncoding(
                manager, config.modelDim(), config.dropoutRate(), config.maxLength(), config.dataType());
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < config.numBlocks(); i++) {
            String layerName = name + ".layer" + i;
            long layerSeed = seed + 1000L * (i + 1);
            layers.add(DecoderLayer.create(manager, config,
                    feedForward.create(manager, i, layerName + ".ffn", layerSeed + 500), layerName, layerSeed));
        }
        LayerNorm afterNorm = LayerNorm.create(
                manager, name + ".after_norm", config.modelDim(), config.layerNormEps(), config.dataType());
        Linear output = Linear.create(manager, name + ".output_layer", config.modelDim(), config.vocabSize(), true,
                config.dataType(), seed + 1);
        return new TransformerDecoder(config, embedding, pe, layers, afterNorm, output);
    }

    /**
     * Runs the left-to-right decoder (reverseYsIn is ignored: this decoder has no reverse branch).
     *
     * @return logits {@code [B, L, V]}, no reverse logits, the summed MoE aux loss (or null)
     */
    @Override
    public DecoderOutput forward(NDArray memory, NDArray memoryLengths, NDArray ysIn, NDArray ysInLengths,
            NDArray reverseYsIn, boolean training) {
        Result r = run(memory, memoryLengths, ysIn, ysInLengths, training);
        return new DecoderOutput(r.logits, null, r.auxLoss);
    }

    /** Logits and summed aux loss of one direction. */
    record Result(NDArray logits, NDArray auxLoss) {}

    Result run(NDArray memory, NDArray memoryLengths, NDArray ysIn, NDArray ysInLengths, boolean training) {
        long length = ysIn.getShape().get(1);
        NDArray tgtMask = DecoderMasks.causal(ysInLengths, length); // [B, L, L]
        NDArray memoryMask = DecoderMasks.padding(memoryLengths, memory.getShape().get(1)); // [B, 1, T]
        boolean[] valid = DecoderMasks.validFlags(ysInLengths, length);
        NDArray x = positionalEncoding.forward(embedding.forward(ysIn), 0, training).x(); // [B, L, d]
        NDArray aux = null;
        for (DecoderLayer layer : layers) {
            FeedForwardOutput out = layer.forward(x, tgtMask, memory, memoryMask, valid, training);
            x = out.output();
            if (out.moe() != null) {
                aux = aux == null ? out.moe().totalAuxLoss() : aux.add(out.moe().totalAuxLoss());
            }
        }
        return new Result(outputLayer.forward(afterNorm.forward(x)), aux); // [B, L, V]
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public boolean isBidirectional() {
        return false;
    }

    /** @return the config */
    public DecoderSpec config() {
        return config;
    }

    /** @return the token embedding */
    public Embedding embedding() {
        return embedding;
    }

    /** @return the layers */
    public List<DecoderLayer> layers() {
        return layers;
    }

    /** @return the final LayerNorm */
    public LayerNorm afterNorm() {
        return afterNorm;
    }

    /** @return the projection to V */
    public Linear outputLayer() {
        return outputLayer;
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>(embedding.parameters());
        for (DecoderLayer layer : layers) {
            list.addAll(layer.parameters());
        }
        list.addAll(afterNorm.parameters());
        list.addAll(outputLayer.parameters());
        return Collections.unmodifiableList(list);
    }
}
