package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.omnispark.trainer.nn.Scalars;

/**
 * WeNet's {@code LabelSmoothingLoss}: KL divergence between a smoothed one-hot target and the model's distribution.
 *
 * <pre>
 *   logits [B, L, V], target [B, L] (ignoreId at padding)
 *   q[v]   = confidence = 1 - smoothing   for v = target,   smoothing / (V - 1) otherwise
 *   kl[n]  = sum_v q[v] (ln q[v] - log_softmax(logits[n])[v])        for every non-ignored position n
 *   loss   = sum_n kl[n] / B     (or / number of non-ignored positions with normalizeLength)
 * </pre>
 */
public final class LabelSmoothingLoss {

    private final int vocabSize;
    private final double smoothing;
    private final int ignoreId;
    private final boolean normalizeLength;

    /**
     * @param vocabSize V
     * @param smoothing label smoothing weight (U2++: 0.1), in [0, 1)
     * @param ignoreId padding id of the target (WeNet: -1)
     * @param normalizeLength divide by the number of tokens instead of the batch size (WeNet default: false)
     */
    public LabelSmoothingLoss(int vocabSize, double smoothing, int ignoreId, boolean normalizeLength) {
        if (vocabSize <= 1 || smoothing < 0 || smoothing >= 1) {
            throw new IllegalArgumentException("Need V > 1 and smoothing in [0, 1), got V=" + vocabSize
                    + " smoothing=" + smoothing);
        }
        this.vocabSize = vocabSize;
        this.smoothing = smoothing;
        this.ignoreId = ignoreId;
        this.normalizeLength = normalizeLength;
    }

    /**
     * WeNet's U2++ setting: smoothing 0.1, ignore -1, normalized by batch.
     *
     * @param vocabSize V
     * @return the loss
     */
    public static LabelSmoothingLoss wenet(int vocabSize) {
        return new LabelSmoothingLoss(vocabSize, 0.1, TargetPreparation.IGNORE_ID, false);
    }

    /**
     * Computes the loss.
     *
     * @param logits {@code [B, L, V]}
     * @param target {@code [B, L]} integer, ignoreId where padded
     * @return scalar
     */
    public NDArray forward(NDArray logits, NDArray target) {
        long batch = logits.getShape().get(0);
        if (logits.getShape().dimension() != 3 || logits.getShape().get(2) != vocabSize
                || !target.getShape().equals(logits.getShape().slice(0, 2))) {
            throw new IllegalArgumentException("Need logits [B, L, " + vocabSize + "] and target [B, L], got "
                    + logits.getShape() + " and " + target.getShape());
        }
        DataType type = logits.getDataType();
        NDArray target64 = target.toType(DataType.INT64, false);
        NDArray keep = target64.neq(ignoreId).toType(type, false); // [B, L]
        NDArray safeTarget = target64.mul(keep.toType(DataType.INT64, false)); // ignored -> 0
        double confidence = 1 - smoothing;
        double other = smoothing / (vocabSize - 1);
        // q = other + (confidence - other) * onehot                                   [B, L, V]
        NDArray q = safeTarget.oneHot(vocabSize, type).mul(confidence - other).add(other);
        NDArray crossTerm = q.mul(logits.logSoftmax(-1)).sum(new int[] {2}); // sum_v q ln p   [B, L]
        // sum_v q ln q is a constant per position (0 ln 0 := 0 when smoothing = 0)
        double entropyTerm = xlogx(confidence) + (vocabSize - 1) * xlogx(other);
        NDArray kl = crossTerm.neg().add(entropyTerm).mul(keep); // [B, L]
        NDArray total = kl.sum();
        if (normalizeLength) {
            return total.div(keep.sum().maximum(1));
        }
        return Scalars.div(total, batch);
    }

    private static double xlogx(double x) {
        return x == 0 ? 0 : x * Math.log(x);
    }

    /** @return the smoothing weight */
    public double smoothing() {
        return smoothing;
    }
}
