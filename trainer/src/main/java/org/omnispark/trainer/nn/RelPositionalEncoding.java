package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Positional encoding for relative-position self-attention (WeNet {@code RelPositionalEncoding}, "rel_pos"):
 * {@code x -> dropout(x * sqrt(d))}, and the sinusoidal table of the same positions is returned apart as {@code
 * posEmb [1, T, d]} for {@code RelPositionMultiHeadedAttention}.
 */
public final class RelPositionalEncoding extends PositionalEncoding {

    /**
     * Creates the encoding.
     *
     * @param manager the model's long-lived manager
     * @param dim d (even)
     * @param dropoutRate dropout on x and posEmb
     * @param maxLength the largest offset + T ever passed
     * @param dataType FLOAT32 or FLOAT64
     */
    public RelPositionalEncoding(NDManager manager, int dim, double dropoutRate, int maxLength, DataType dataType) {
        super(manager, dim, dropoutRate, maxLength, dataType);
    }

    @Override
    protected NDArray combine(NDArray scaled, NDArray posEmb) {
        return scaled;
    }
}
