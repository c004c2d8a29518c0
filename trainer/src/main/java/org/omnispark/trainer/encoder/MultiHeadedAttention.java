package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.Dropout;
import org.omnispark.trainer.nn.Linear;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterOwner;
import org.omnispark.trainer.nn.Scalars;

/**
 * Multi-head scaled dot-product attention (Vaswani et al.; WeNet {@code MultiHeadedAttention}, "selfattn"):
 *
 * <pre>
 *   q, k, v = linear_q(query), linear_k(key), linear_v(value)      -- [B, T, d] -> [B, H, T, dk], dk = d / H
 *   k, v    = cat(cache_k, k), cat(cache_v, v) along time          -- streaming: Tk = Tc + T2
 *   scores  = q k^T / sqrt(dk)                                      -- [B, H, T1, Tk]
 *   attn    = softmax(scores masked with -inf where mask is false), then 0 where mask is false
 *   output  = linear_out(dropout(attn) v merged back to [B, T1, d])
 * </pre>
 *
 * The mask is boolean {@code [B, T1, Tk]} or {@code [B, 1, Tk]} (true = may attend), or null for no mask.
 */
public class MultiHeadedAttention implements ParameterOwner {

    /** Large negative score for masked positions (finite, so fully masked rows give 0 and no NaN). */
    private static final double MASKED_SCORE = -1e30;

    protected final int numHeads;
    protected final int headDim;
    protected final Linear linearQ;
    protected final Linear linearK;
    protected final Linear linearV;
    protected final Linear linearOut;
    protected final Dropout dropout;

    /**
     * Creates the layer.
     *
     * @param manager the model's long-lived manager
     * @param name parameter name prefix, e.g. {@code "encoder.layer0.self_attn"}
     * @param modelDim d, divisible by numHeads
     * @param numHeads H
     * @param dropoutRate dropout on the attention weights
     * @param dataType FLOAT32 or FLOAT64
     * @param seed initialization seed (the layer uses seeds seed .. seed + 9)
     */
    public MultiHeadedAttention(
            NDManager manager, String name, int modelDim, int numHeads, double dropoutRate, DataType dataType,
            long seed) {
        if (numHeads <= 0 || modelDim % numHeads != 0) {
            throw new IllegalArgumentException(
                    "The model dimension " + modelDim + " must be a multiple of the number of heads " + numHeads);
        }
        this.numHeads = numHeads;
        this.headDim = modelDim / numHeads;
        this.linearQ = Linear.create(manager, name + ".linear_q", modelDim, modelDim, true, dataType, seed);
        this.linearK = Linear.create(manager, name + ".linear_k", modelDim, modelDim, true, dataType, seed + 2);
        this.linearV = Linear.create(manager, name + ".linear_v", modelDim, modelDim, true, dataType, seed + 4);
        this.linearOut = Linear.create(manager, name + ".linear_out", modelDim, modelDim, true, dataType, seed + 6);
        this.dropout = new Dropout(dropoutRate);
    }

    /**
     * Attends.
     *
     * @param query {@code [B, T1, d]}
     * @param key {@code [B, T2, d]}
     * @param value {@code [B, T2, d]}
     * @param mask boolean {@code [B, T1 or 1, Tc + T2]}, or null
     * @param posEmb ignored here ({@link RelPositionMultiHeadedAttention} uses it)
     * @param cache {@code [B, H, Tc, 2 dk]} from the previous chunk, or null / Tc = 0 for none
     * @param training enables dropout
     * @return output {@code [B, T1, d]} and the new cache {@code [B, H, Tc + T2, 2 dk]}
     */
    public AttentionOutput forward(
            NDArray query, NDArray key, NDArray value, NDArray mask, NDArray posEmb, NDArray cache,
            boolean training) {
        NDArray q = splitHeads(linearQ.forward(query)); // [B, H, T1, dk]
        NDArray[] kv = keysAndValues(key, value, cache); // 2 x [B, H, Tk, dk]
        NDArray scores = Scalars.div(Autocast.matMul(q, kv[0].swapAxes(2, 3)), Math.sqrt(headDim)); // [B, H, T1, Tk]
        return new AttentionOutput(attend(scores, kv[1], mask, training), kv[0].concat(kv[1], 3));
    }

    /**
     * Projects key and value and prepends the cache.
     *
     * @param key {@code [B, T2, d]}
     * @param value {@code [B, T2, d]}
     * @param cache {@code [B, H, Tc, 2 dk]} or null
     * @return {k, v}, each {@code [B, H, Tc + T2, dk]}
     */
    protected NDArray[] keysAndValues(NDArray key, NDArray value, NDArray cache) {
        NDArray k = splitHeads(linearK.forward(key)); // [B, H, T2, dk]
        NDArray v = splitHeads(linearV.forward(value)); // [B, H, T2, dk]
        if (cache != null && cache.getShape().dimension() == 4 && cache.getShape().get(2) > 0) {
            NDList halves = cache.split(2, 3); // 2 x [B, H, Tc, dk]
            k = halves.get(0).concat(k, 2);
            v = halves.get(1).concat(v, 2);
        }
        return new NDArray[] {k, v};
    }

    /**
     * Masked softmax, dropout, weighted sum of values and output projection (WeNet's {@code forward_attention}).
     *
     * @param scores {@code [B, H, T1, Tk]}
     * @param v {@code [B, H, Tk, dk]}
     * @param mask boolean {@code [B, T1 or 1, Tk]} or null
     * @param training enables dropout
     * @return {@code [B, T1, d]}
     */
    protected NDArray attend(NDArray scores, NDArray v, NDArray mask, boolean training) {
        NDArray attn;
        if (mask != null && mask.getShape().dimension() == 3 && mask.getShape().get(2) > 0) {
            // keep is 1 where attending is allowed, 0 elsewhere; multiplying by exactly 1 or 0 keeps values exact
            NDArray keep = mask.toType(scores.getDataType(), false).expandDims(1); // [B, 1, T1 or 1, Tk]
            NDArray blocked = keep.neg().add(1).mul(MASKED_SCORE); // 0 or -1e30
            attn = scores.mul(keep).add(blocked).softmax(3).mul(keep); // [B, H, T1, Tk]
        } else {
            attn = scores.softmax(3);
        }
        NDArray context = Autocast.matMul(dropout.forward(attn, training), v); // [B, H, T1, dk]
        long batch = context.getShape().get(0);
        long time = context.getShape().get(2);
        NDArray merged = context.swapAxes(1, 2).reshape(batch, time, (long) numHeads * headDim); // [B, T1, d]
        return linearOut.forward(merged);
    }

    /**
     * Splits the model dimension into heads.
     *
     * @param x {@code [B, T, d]}
     * @return {@code [B, H, T, dk]}
     */
    protected NDArray splitHeads(NDArray x) {
        long batch = x.getShape().get(0);
        long time = x.getShape().get(1);
        return x.reshape(batch, time, numHeads, headDim).swapAxes(1, 2);
    }

    /** @return H */
    public int numHeads() {
        return numHeads;
    }

    /** @return dk = d / H */
    public int headDim() {
        return headDim;
    }

    /** @return linear_q, linear_k, linear_v, linear_out (for loading weights) */
    public List<Linear> projections() {
        return List.of(linearQ, linearK, linearV, linearOut);
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>();
        for (Linear linear : projections()) {
            list.addAll(linear.parameters());
        }
        return list;
    }
}
