package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.Linear;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.Scalars;

/**
 * Multi-head attention with relative positional terms (Transformer-XL / Conformer; WeNet {@code
 * RelPositionMultiHeadedAttention}, "rel_selfattn", WITHOUT rel_shift, as WeNet does):
 *
 * <pre>
 *   q [B, T1, H, dk], k, v [B, H, Tk, dk] (with cache), p = linear_pos(posEmb) -> [1, H, Tk, dk] (no bias)
 *   matrix_ac = (q + pos_bias_u) k^T      -- content term          [B, H, T1, Tk]
 *   matrix_bd = (q + pos_bias_v) p^T      -- position term         [B, H, T1, Tk]
 *   scores    = (matrix_ac + matrix_bd) / sqrt(dk), then as {@link MultiHeadedAttention}
 * </pre>
 *
 * posEmb must cover exactly the Tk attended keys: {@code [1, Tc + T2, d]}. pos_bias_u and pos_bias_v are {@code [H,
 * dk]}, initialized Xavier-uniform.
 */
public final class RelPositionMultiHeadedAttention extends MultiHeadedAttention {

    private final Linear linearPos;
    private final ModelParameter posBiasU;
    private final ModelParameter posBiasV;

    /**
     * Creates the layer.
     *
     * @param manager the model's long-lived manager
     * @param name parameter name prefix
     * @param modelDim d, divisible by numHeads
     * @param numHeads H
     * @param dropoutRate dropout on the attention weights
     * @param dataType FLOAT32 or FLOAT64
     * @param seed initialization seed (uses seed .. seed + 12)
     */
    public RelPositionMultiHeadedAttention(
            NDManager manager, String name, int modelDim, int numHeads, double dropoutRate, DataType dataType,
            long seed) {
        super(manager, name, modelDim, numHeads, dropoutRate, dataType, seed);
        this.linearPos = Linear.create(manager, name + ".linear_pos", modelDim, modelDim, false, dataType, seed + 10);
        double xavier = Math.sqrt(6.0 / (numHeads + headDim));
        this.posBiasU = ModelParameter.uniform(
                manager, name + ".pos_bias_u", new Shape(numHeads, headDim), dataType, xavier, seed + 11, false);
        this.posBiasV = ModelParameter.uniform(
                manager, name + ".pos_bias_v", new Shape(numHeads, headDim), dataType, xavier, seed + 12, false);
    }

    /**
     * Attends with relative positional terms.
     *
     * @param query {@code [B, T1, d]}
     * @param key {@code [B, T2, d]}
     * @param value {@code [B, T2, d]}
     * @param mask boolean {@code [B, T1 or 1, Tc + T2]}, or null
     * @param posEmb {@code [1, Tc + T2, d]} (required)
     * @param cache {@code [B, H, Tc, 2 dk]} or null
     * @param training enables dropout
     * @return output {@code [B, T1, d]} and the new cache {@code [B, H, Tc + T2, 2 dk]}
     */
    @Override
    public AttentionOutput forward(
            NDArray query, NDArray key, NDArray value, NDArray mask, NDArray posEmb, NDArray cache,
            boolean training) {
        long batch = query.getShape().get(0);
        long time = query.getShape().get(1);
        NDArray q = linearQ.forward(query).reshape(batch, time, numHeads, headDim); // [B, T1, H, dk]
        NDArray[] kv = keysAndValues(key, value, cache); // 2 x [B, H, Tk, dk]
        long keys = kv[0].getShape().get(2);
        if (posEmb == null || posEmb.getShape().get(1) != keys) {
            throw new IllegalArgumentException("Relative attention needs posEmb [1, " + keys + ", d] for the "
                    + keys + " attended keys, got " + (posEmb == null ? "null" : posEmb.getShape()));
        }
        long posBatch = posEmb.getShape().get(0);
        NDArray p = linearPos.forward(posEmb).reshape(posBatch, keys, numHeads, headDim).swapAxes(1, 2); // [1,H,Tk,dk]
        NDArray qU = q.add(posBiasU.array()).swapAxes(1, 2); // [B, H, T1, dk]
        NDArray qV = q.add(posBiasV.array()).swapAxes(1, 2); // [B, H, T1, dk]
        NDArray matrixAc = Autocast.matMul(qU, kv[0].swapAxes(2, 3)); // [B, H, T1, Tk]
        NDArray matrixBd = Autocast.matMul(qV, p.swapAxes(2, 3)); // [B, H, T1, Tk]
        NDArray scores = Scalars.div(matrixAc.add(matrixBd), Math.sqrt(headDim));
        return new AttentionOutput(attend(scores, kv[1], mask, training), kv[0].concat(kv[1], 3));
    }

    /** @return linear_pos (no bias) */
    public Linear linearPos() {
        return linearPos;
    }

    /** @return pos_bias_u {@code [H, dk]} */
    public ModelParameter posBiasU() {
        return posBiasU;
    }

    /** @return pos_bias_v {@code [H, dk]} */
    public ModelParameter posBiasV() {
        return posBiasV;
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>(super.parameters());
        list.addAll(linearPos.parameters());
        list.add(posBiasU);
        list.add(posBiasV);
        return list;
    }
}
