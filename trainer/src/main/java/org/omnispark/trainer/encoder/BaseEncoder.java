package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.nn.LayerNorm;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterOwner;
import org.omnispark.trainer.nn.PositionalEncoding;
import org.omnispark.trainer.nn.RelPositionalEncoding;

/**
 * The encoder stack shared by {@link ConformerEncoder} and {@link TransformerEncoder} (WeNet {@code BaseEncoder}):
 *
 * <pre>
 *   xs [B, T, F] -> GlobalCmvn (optional) -> Conv2dSubsampling + positional encoding -> [B, T', d], posEmb [1, T', d]
 *   -> N layers with the attention mask (padding, and chunk mask unless full context) -> LayerNorm -> [B, T', d]
 * </pre>
 *
 * Three ways to run it: {@link #forward} (training / offline, with full context, a static chunk or a dynamic chunk
 * drawn per batch), {@link #forwardChunk} (one streaming chunk with attention and convolution caches) and {@link
 * #forwardChunkByChunk} (a whole utterance, chunk after chunk; equals {@link #forward} with the same chunk choice).
 * Dynamic chunk draws come from a generator seeded with the config's seed; an encoder is not thread-safe.
 */
public abstract class BaseEncoder implements ParameterOwner {

    protected final EncoderSpec config;
    private final GlobalCmvn cmvn;
    private final Conv2dSubsampling embed;
    private final List<EncoderLayer> layers;
    private final LayerNorm afterNorm;
    private final SplittableRandom chunkRandom;

    /**
     * Assembles the stack (subclasses build the layers).
     *
     * @param manager the model's long-lived manager
     * @param config the configuration
     * @param cmvn global CMVN, or null when the features are normalized already
     * @param layers the N layers
     */
    protected BaseEncoder(NDManager manager, EncoderSpec config, GlobalCmvn cmvn, List<EncoderLayer> layers) {
        if (cmvn != null && cmvn.featureDim() != config.inputDim()) {
            throw new IllegalArgumentException("CMVN has " + cmvn.featureDim() + " dimensions but the encoder expects "
                    + config.inputDim() + " features");
        }
        this.config = config;
        this.cmvn = cmvn;
        PositionalEncoding positions = config.relativePositions()
                ? new RelPositionalEncoding(manager, config.outputDim(), config.positionalDropoutRate(),
                        config.maxLength(), config.dataType())
                : new PositionalEncoding(manager, config.outputDim(), config.positionalDropoutRate(),
                        config.maxLength(), config.dataType());
        this.embed = new Conv2dSubsampling(manager, "encoder.embed", config.subsampling(), config.inputDim(),
                config.outputDim(), positions, config.dataType(), config.seed());
        this.layers = List.copyOf(layers);
        this.afterNorm = LayerNorm.create(
                manager, "encoder.after_norm", config.outputDim(), config.layerNormEps(), config.dataType());
        this.chunkRandom = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
    }

    /**
     * The dense feed-forward factory used when none is given: {@code linearUnits} hidden units, Swish for the
     * Conformer and ReLU for the Transformer (WeNet's defaults).
     *
     * @param config the encoder configuration
     * @return the factory
     */
    public static FeedForwardFactory defaultFeedForward(EncoderSpec config) {
        FfnActivation activation = config.type() == EncoderType.CONFORMER ? FfnActivation.SWISH : FfnActivation.RELU;
        return FeedForwardFactory.dense(FeedForwardSpec.builder().setModelDim(config.outputDim())
                .setFfnDim(config.linearUnits()).optActivation(activation).optDataType(config.dataType()).build());
    }

    /**
     * Builds the encoder named by {@code config.type()}.
     *
     * @param manager the model's long-lived manager
     * @param config the configuration
     * @param feedForward dense or MoE blocks; null = {@link #defaultFeedForward}
     * @param cmvn global CMVN, or null
     * @return a {@link ConformerEncoder} or {@link TransformerEncoder}
     */
    public static BaseEncoder create(
            NDManager manager, EncoderSpec config, FeedForwardFactory feedForward, GlobalCmvn cmvn) {
        FeedForwardFactory ff = feedForward != null ? feedForward : defaultFeedForward(config);
        return config.type() == EncoderType.CONFORMER
                ? ConformerEncoder.create(manager, config, ff, cmvn)
                : TransformerEncoder.create(manager, config, ff, cmvn);
    }

    /**
     * Training / offline forward with the chunk choice of the configuration: in training with dynamic chunk, drawn
     * per call (1/2 full context, else 1..maxDynamicChunk frames); else the static chunk size; else full context.
     *
     * @param xs features {@code [B, T, F]}
     * @param lengths valid frames per sequence, each in [1, T]
     * @param training enables dropout, router jitter and dynamic chunks
     * @return output, lengths, masks and MoE outputs
     */
    public EncoderOutput forward(NDArray xs, int[] lengths, boolean training) {
        int outLength = embed.outputLength(Math.toIntExact(xs.getShape().get(1)));
        ChunkMasks.Choice choice;
        if (training && config.dynamicChunk()) {
            choice = ChunkMasks.dynamicChoice(
                    chunkRandom, outLength, config.maxDynamicChunk(), config.dynamicLeftChunks());
        } else if (config.staticChunkSize() > 0) {
            choice = new ChunkMasks.Choice(config.staticChunkSize(), -1);
        } else {
            choice = ChunkMasks.Choice.FULL;
        }
        return forward(xs, lengths, choice, training);
    }

    /**
     * Forward with an explicit chunk choice (decoding with {@code decoding_chunk_size} and {@code
     * num_decoding_left_chunks}: {@code new ChunkMasks.Choice(chunk, left)}; full context: {@link
     * ChunkMasks.Choice#FULL}).
     *
     * @param xs features {@code [B, T, F]}
     * @param lengths valid frames per sequence, each in [1, T]
     * @param choice the chunk choice
     * @param training enables dropout and router jitter
     * @return output {@code [B, T', d]}, lengths, masks and MoE outputs
     */
    public EncoderOutput forward(NDArray xs, int[] lengths, ChunkMasks.Choice choice, boolean training) {
        int batch = Math.toIntExact(xs.getShape().get(0));
        int time = Math.toIntExact(xs.getShape().get(1));
        if (lengths.length != batch) {
            throw new IllegalArgumentException("Got " + lengths.length + " lengths for a batch of " + batch);
        }
        int outLength = embed.outputLength(time);
        int[] outLengths = new int[batch];
        boolean padded = false;
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > time) {
                throw new IllegalArgumentException("Length " + lengths[b] + " of sequence " + b + " is outside [1, "
                        + time + "]");
            }
            outLengths[b] = embed.outputLength(lengths[b]);
            padded |= outLengths[b] < outLength;
        }
        NDManager scope = xs.getManager();
        NDArray x = cmvn == null ? xs : cmvn.forward(xs);
        Conv2dSubsampling.Output sub = embed.forward(x, 0, training); // [B, T', d], [1, T', d]
        NDArray padMask = ChunkMasks.padMask(scope, outLengths, outLength); // [B, 1, T']
        NDArray attentionMask = ChunkMasks.attentionMask(scope, outLengths, outLength, choice);
        boolean[] valid = padded ? ChunkMasks.validFlags(outLengths, outLength) : null;
        LayerContext context = new LayerContext(attentionMask, sub.posEmb(), padded ? padMask : null, valid,
                training);
        NDArray h = sub.x();
        List<MoeOutput> moe = new ArrayList<>();
        for (EncoderLayer layer : layers) {
            EncoderLayerOutput out = layer.forward(h, context, null, null);
            h = out.output();
            moe.addAll(out.moeOutputs());
        }
        return new EncoderOutput(afterNorm.forward(h), outLengths, padMask, choice, moe);
    }

    /**
     * Streaming forward of one chunk (WeNet {@code forward_chunk}); all frames of the chunk are real.
     *
     * @param xsChunk {@code [B, Tin, F]}, Tin = (chunk - 1) * subsampling + rightContext + 1 for a full chunk
     * @param offset output frames emitted before this chunk
     * @param requiredCacheSize attention frames to keep for the next chunk: chunk * numLeftChunks, negative = all
     * @param attentionCache {@code [L, B, H, Tc, 2 dk]} from the previous call, or null at the start
     * @param convolutionCache {@code [L, B, d, K-1]} from the previous call, or null at the start
     * @return this chunk's output {@code [B, T', d]} and the new caches
     */
    public ChunkOutput forwardChunk(
            NDArray xsChunk, int offset, int requiredCacheSize, NDArray attentionCache, NDArray convolutionCache) {
        checkStreamable();
        NDManager scope = xsChunk.getManager();
        NDArray x = cmvn == null ? xsChunk : cmvn.forward(xsChunk);
        Conv2dSubsampling.Output sub = embed.forward(x, offset, false); // [B, T', d]
        int chunk = Math.toIntExact(sub.x().getShape().get(1));
        int cached = attentionCache == null ? 0 : Math.toIntExact(attentionCache.getShape().get(3));
        int keys = cached + chunk;
        NDArray posEmb = embed.positionalEncoding().positionEncoding(scope, offset - cached, keys); // [1, Tk, d]
        int nextCacheStart = requiredCacheSize < 0 ? 0
                : requiredCacheSize == 0 ? keys : Math.max(keys - requiredCacheSize, 0);
        LayerContext context = new LayerContext(null, posEmb, null, null, false);
        NDArray h = sub.x();
        NDList newAttention = new NDList();
        NDList newConvolution = new NDList();
        List<MoeOutput> moe = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            NDArray att = attentionCache == null ? null : attentionCache.get(i); // [B, H, Tc, 2 dk]
            NDArray cnn = convolutionCache == null ? null : convolutionCache.get(i); // [B, d, K-1]
            EncoderLayerOutput out = layers.get(i).forward(h, context, att, cnn);
            h = out.output();
            moe.addAll(out.moeOutputs());
            newAttention.add(out.attentionCache().get(new NDIndex(":, :, {}:", nextCacheStart)));
            if (out.convolutionCache() != null) {
                newConvolution.add(out.convolutionCache());
            }
        }
        NDArray attention = NDArrays.stack(newAttention); // [L, B, H, Tc', 2 dk]
        NDArray convolution = newConvolution.isEmpty() ? null : NDArrays.stack(newConvolution); // [L, B, d, K-1]
        return new ChunkOutput(afterNorm.forward(h), attention, convolution, moe);
    }

    /**
     * Encodes a whole utterance chunk after chunk with caches (WeNet {@code forward_chunk_by_chunk}). The result
     * equals {@link #forward(NDArray, int[], ChunkMasks.Choice, boolean)} with {@code new Choice(decodingChunkSize,
     * numDecodingLeftChunks)} on the same (unpadded) input, up to rounding.
     *
     * @param xs {@code [B, T, F]}, every sequence T frames long
     * @param decodingChunkSize output frames per chunk, &gt; 0
     * @param numDecodingLeftChunks chunks of left context, negative = all
     * @return {@code [B, T', d]}
     */
    public NDArray forwardChunkByChunk(NDArray xs, int decodingChunkSize, int numDecodingLeftChunks) {
        if (decodingChunkSize <= 0) {
            throw new IllegalArgumentException(
                    "decodingChunkSize must be > 0, got " + decodingChunkSize + "; use forward() for full context");
        }
        int subsampling = embed.subsamplingFactor();
        int context = embed.rightContext() + 1;
        int stride = subsampling * decodingChunkSize;
        int window = (decodingChunkSize - 1) * subsampling + context;
        int frames = Math.toIntExact(xs.getShape().get(1));
        int required = numDecodingLeftChunks < 0 ? -1 : decodingChunkSize * numDecodingLeftChunks;
        NDArray attention = null;
        NDArray convolution = null;
        NDList outputs = new NDList();
        int offset = 0;
        for (int cur = 0; cur <= frames - context; cur += stride) {
            int end = Math.min(cur + window, frames);
            NDArray chunk = xs.get(new NDIndex(":, {}:{}, :", cur, end)); // [B, <= window, F]
            ChunkOutput out = forwardChunk(chunk, offset, required, attention, convolution);
            attention = out.attentionCache();
            convolution = out.convolutionCache();
            outputs.add(out.output());
            offset += Math.toIntExact(out.output().getShape().get(1));
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("The utterance has " + frames + " frames; at least " + context
                    + " are needed for one output frame");
        }
        return NDArrays.concat(outputs, 1); // [B, T', d]
    }

    /** Throws unless the stack can stream (a Conformer's convolution must be causal). */
    protected abstract void checkStreamable();

    /** @return the configuration */
    public EncoderSpec config() {
        return config;
    }

    /** @return the subsampling front end */
    public Conv2dSubsampling embed() {
        return embed;
    }

    /** @return the layers */
    public List<EncoderLayer> layers() {
        return layers;
    }

    /** @return the final LayerNorm */
    public LayerNorm afterNorm() {
        return afterNorm;
    }

    /** @return the global CMVN, or null */
    public GlobalCmvn cmvn() {
        return cmvn;
    }

    /**
     * Output frames for an input of {@code length} frames.
     *
     * @param length input frames
     * @return output frames
     */
    public int outputLength(int length) {
        return embed.outputLength(length);
    }

    /**
     * Returns every parameter; a shared Omni-router gate appears once per MoE block, so collect with {@code
     * ParameterCollector.unique}.
     */
    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>(embed.parameters());
        for (EncoderLayer layer : layers) {
            list.addAll(layer.parameters());
        }
        list.addAll(afterNorm.parameters());
        return list;
    }

    /** The self-attention of one layer: relative-position or plain, as the config says. */
    static MultiHeadedAttention selfAttention(NDManager manager, EncoderSpec config, String name, long seed) {
        return config.relativePositions()
                ? new RelPositionMultiHeadedAttention(manager, name, config.outputDim(), config.attentionHeads(),
                        config.attentionDropoutRate(), config.dataType(), seed)
                : new MultiHeadedAttention(manager, name, config.outputDim(), config.attentionHeads(),
                        config.attentionDropoutRate(), config.dataType(), seed);
    }
}
