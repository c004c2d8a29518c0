package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.omnispark.trainer.encoder.FeedForwardFactory;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * WeNet's {@code BiTransformerDecoder} (U2++): a left-to-right {@link TransformerDecoder} with numBlocks layers and a
 * right-to-left one with rNumBlocks layers, each with its own embedding and output layer. The right-to-left decoder
 * reads sos + reversed labels ({@link TargetPreparation}).
 */
public final class BiTransformerDecoder implements AttentionDecoder {

    private final TransformerDecoder left;
    private final TransformerDecoder right;

    /**
     * @param left the left-to-right decoder
     * @param right the right-to-left decoder (same vocabulary and d)
     */
    public BiTransformerDecoder(TransformerDecoder left, TransformerDecoder right) {
        if (left.vocabSize() != right.vocabSize() || left.config().modelDim() != right.config().modelDim()) {
            throw new IllegalArgumentException("Both directions need the same V and d, got V " + left.vocabSize()
                    + "/" + right.vocabSize() + ", d " + left.config().modelDim() + "/" + right.config().modelDim());
        }
        this.left = left;
        this.right = right;
    }

    /**
     * Creates both decoders with fresh parameters.
     *
     * @param manager the model's long-lived manager
     * @param config the left decoder's config (numBlocks: U2++ uses 3)
     * @param rNumBlocks layers of the right-to-left decoder (U2++: 3)
     * @param feedForward makes each layer's FFN; called for the left layers, then the right ones
     * @param name parameter name prefix, e.g. {@code "decoder"} (children {@code .left_decoder}, {@code
     *     .right_decoder})
     * @param seed initialization seed
     * @return the decoder
     */
    public static BiTransformerDecoder create(NDManager manager, DecoderSpec config, int rNumBlocks,
            FeedForwardFactory feedForward, String name, long seed) {
        TransformerDecoder l = TransformerDecoder.create(manager, config, feedForward, name + ".left_decoder", seed);
        TransformerDecoder r = TransformerDecoder.create(
                manager, config.withNumBlocks(rNumBlocks), feedForward, name + ".right_decoder", seed + 500_000);
        return new BiTransformerDecoder(l, r);
    }

    /**
     * Runs both directions (the right one only when reverseYsIn is given).
     *
     * @return left logits {@code [B, L, V]}, right logits {@code [B, L, V]} or null, summed MoE aux loss or null
     */
    @Override
    public DecoderOutput forward(NDArray memory, NDArray memoryLengths, NDArray ysIn, NDArray ysInLengths,
            NDArray reverseYsIn, boolean training) {
        TransformerDecoder.Result l = left.run(memory, memoryLengths, ysIn, ysInLengths, training);
        if (reverseYsIn == null) {
            return new DecoderOutput(l.logits(), null, l.auxLoss());
        }
        TransformerDecoder.Result r = right.run(memory, memoryLengths, reverseYsIn, ysInLengths, training);
        NDArray aux = l.auxLoss() == null ? r.auxLoss()
                : r.auxLoss() == null ? l.auxLoss() : l.auxLoss().add(r.auxLoss());
        return new DecoderOutput(l.logits(), r.logits(), aux);
    }

    @Override
    public int vocabSize() {
        return left.vocabSize();
    }

    @Override
    public boolean isBidirectional() {
        return true;
    }

    /** @return the left-to-right decoder */
    public TransformerDecoder left() {
        return left;
    }

    /** @return the right-to-left decoder */
    public TransformerDecoder right() {
        return right;
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>(left.parameters());
        list.addAll(right.parameters());
        return Collections.unmodifiableList(list);
    }
}
