package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Sinusoidal positional encoding (Vaswani et al.; WeNet {@code PositionalEncoding}, "abs_pos"):
 *
 * <pre>
 *   pe[p, 2i]   = sin(p / 10000^(2i/d))
 *   pe[p, 2i+1] = cos(p / 10000^(2i/d))
 *   forward(x [B, T, d], offset) = dropout(x * sqrt(d) + pe[offset : offset + T]),  posEmb = pe[offset : offset + T]
 * </pre>
 *
 * Subclass {@link RelPositionalEncoding} does not add {@code pe} to x but only returns it for relative attention.
 * The table is precomputed once for {@code maxLength} positions in the model's manager.
 */
public class PositionalEncoding {

    /** What {@link #forward} returns. */
    public record Encoded(NDArray x, NDArray posEmb) {}

    private final int dim;
    private final int maxLength;
    private final double xscale;
    private final Dropout dropout;
    private final NDArray table; // [maxLength, d]

    /**
     * Creates the encoding.
     *
     * @param manager the model's long-lived manager (holds the table; not a parameter)
     * @param dim d (even)
     * @param dropoutRate dropout on the output (and on posEmb), 0.1 in WeNet recipes
     * @param maxLength the largest offset + T ever passed (5000 in WeNet)
     * @param dataType FLOAT32 or FLOAT64
     */
    public PositionalEncoding(NDManager manager, int dim, double dropoutRate, int maxLength, DataType dataType) {
        if (dim <= 0 || dim % 2 != 0 || maxLength <= 0) {
            throw new IllegalArgumentException(
                    "Positional encoding needs an even d > 0 and maxLength > 0, got d=" + dim + ", maxLength="
                            + maxLength);
        }
        this.dim = dim;
        this.maxLength = maxLength;
        this.xscale = Math.sqrt(dim);
        this.dropout = new Dropout(dropoutRate);
        double[] pe = new double[maxLength * dim];
        for (int p = 0; p < maxLength; p++) {
            for (int i = 0; i < dim; i += 2) {
                double angle = p * Math.exp(-Math.log(10000.0) * i / dim);
                pe[p * dim + i] = Math.sin(angle);
                pe[p * dim + i + 1] = Math.cos(angle);
            }
        }
        this.table = manager.create(pe, new Shape(maxLength, dim)).toType(dataType, false);
    }

    /**
     * Scales x and adds (or, for relative attention, returns) the position encoding of positions {@code offset ..
     * offset + T - 1}.
     *
     * @param x {@code [B, T, d]}
     * @param offset position of the first frame (frames already emitted when streaming)
     * @param training enables dropout
     * @return {@code x [B, T, d]} and {@code posEmb [1, T, d]}
     */
    public Encoded forward(NDArray x, int offset, boolean training) {
        int length = Math.toIntExact(x.getShape().get(1));
        NDArray posEmb = positionEncoding(x.getManager(), offset, length); // [1, T, d]
        NDArray scaled = Scalars.mul(x, xscale);
        return new Encoded(dropout.forward(combine(scaled, posEmb), training), dropout.forward(posEmb, training));
    }

    /**
     * How the scaled input and the encoding are combined: added here, left apart in {@link RelPositionalEncoding}.
     *
     * @param scaled {@code x * sqrt(d)} {@code [B, T, d]}
     * @param posEmb {@code [1, T, d]}
     * @return {@code [B, T, d]}
     */
    protected NDArray combine(NDArray scaled, NDArray posEmb) {
        return scaled.add(posEmb);
    }

    /**
     * Returns the encoding of positions {@code offset .. offset + size - 1} (no dropout).
     *
     * @param scope the manager of the result (the caller's per-step manager)
     * @param offset first position, &gt;= 0
     * @param size number of positions
     * @return {@code [1, size, d]}
     */
    public NDArray positionEncoding(NDManager scope, int offset, int size) {
        if (offset < 0 || size < 0 || offset + size > maxLength) {
            throw new IllegalArgumentException("Positions " + offset + " .. " + (offset + size - 1)
                    + " exceed the table of " + maxLength + "; build the encoding with a larger maxLength");
        }
        return table.get(scope, new NDIndex("{}:{}", offset, offset + size)).expandDims(0);
    }

    /** @return d */
    public int dim() {
        return dim;
    }

    /** @return the table length */
    public int maxLength() {
        return maxLength;
    }
}
