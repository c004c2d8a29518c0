package org.omnispark.trainer.encoder;

import org.omnispark.data.reader.DatasetManifest;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Global cepstral mean and variance normalization: {@code y = (x - mean) * istd}, per feature dimension, with the
 * statistics the data pipeline stored in dataset.json (WeNet {@code GlobalCMVN}). The statistics are constants, not
 * parameters.
 */
public final class GlobalCmvn {

    /** Variance floor used by {@link #fromManifest(NDManager, DatasetManifest.Cmvn, DataType)} (as WeNet). */
    public static final double DEFAULT_VARIANCE_FLOOR = 1e-20;

    private final NDArray mean; // [F]
    private final NDArray invStd; // [F]

    /**
     * Creates the normalization.
     *
     * @param manager the model's long-lived manager
     * @param mean per-dimension mean, length F
     * @param invStd per-dimension inverse standard deviation, length F, all finite and positive
     * @param dataType FLOAT32 or FLOAT64
     */
    public GlobalCmvn(NDManager manager, double[] mean, double[] invStd, DataType dataType) {
        if (mean.length == 0 || mean.length != invStd.length) {
            throw new IllegalArgumentException("CMVN mean and invStd must have the same non-zero length, got "
                    + mean.length + " and " + invStd.length);
        }
        for (int i = 0; i < invStd.length; i++) {
            if (!(invStd[i] > 0) || Double.isInfinite(invStd[i]) || Double.isNaN(mean[i])) {
                throw new IllegalArgumentException("CMVN dimension " + i + " has mean " + mean[i] + " and invStd "
                        + invStd[i] + "; recompute the statistics or raise the variance floor");
            }
        }
        this.mean = manager.create(mean, new Shape(mean.length)).toType(dataType, false);
        this.invStd = manager.create(invStd, new Shape(invStd.length)).toType(dataType, false);
    }

    /**
     * Creates the normalization from the dataset manifest's sums.
     *
     * @param manager the model's long-lived manager
     * @param cmvn {@code dataset.json}'s cmvn entry
     * @param dataType FLOAT32 or FLOAT64
     * @return the normalization, variance floored at {@link #DEFAULT_VARIANCE_FLOOR}
     */
    public static GlobalCmvn fromManifest(NDManager manager, DatasetManifest.Cmvn cmvn, DataType dataType) {
        if (cmvn == null || cmvn.frameCount() <= 0) {
            throw new IllegalArgumentException(
                    "The manifest has no CMVN statistics (frameCount must be > 0); rerun the data pipeline's CMVN step");
        }
        return new GlobalCmvn(manager, cmvn.mean(), cmvn.invStd(DEFAULT_VARIANCE_FLOOR), dataType);
    }

    /**
     * Normalizes.
     *
     * @param x {@code [B, T, F]}
     * @return {@code [B, T, F]}
     */
    public NDArray forward(NDArray x) {
        if (x.getShape().get(x.getShape().dimension() - 1) != featureDim()) {
            throw new IllegalArgumentException(
                    "CMVN expects " + featureDim() + " features in the last dimension, got " + x.getShape());
        }
        return x.sub(mean).mul(invStd);
    }

    /** @return F */
    public int featureDim() {
        return Math.toIntExact(mean.getShape().get(0));
    }
}
