package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.nn.Activations;
import org.omnispark.trainer.nn.Linear;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterOwner;
import org.omnispark.trainer.nn.PositionalEncoding;

/**
 * Convolutional front end that shortens the time axis 4, 6 or 8 times (WeNet {@code Conv2dSubsampling4/6/8}),
 * followed by the positional encoding:
 *
 * <pre>
 *   x [B, T, F] -> [B, 1, T, F]
 *   X4: conv 3x3 stride 2 + ReLU, conv 3x3 stride 2 + ReLU                    T' = ((T-1)/2 - 1)/2
 *   X6: conv 3x3 stride 2 + ReLU, conv 5x5 stride 3 + ReLU                    T' = ((T-1)/2 - 2)/3
 *   X8: three times conv 3x3 stride 2 + ReLU                                  T' = (((T-1)/2 - 1)/2 - 1)/2
 *   (no padding, integer division) -> [B, d, T', F'] -> [B, T', d * F'] -> Linear -> [B, T', d]
 *   -> positional encoding: x [B, T', d], posEmb [1, T', d]
 * </pre>
 *
 * Conv weights keep PyTorch's layout {@code [out, in, kh, kw]}. One output frame sees {@link #rightContext()} + 1
 * input frames and consecutive outputs are {@link #rate()} frames apart, which is what chunk-by-chunk decoding needs.
 */
public final class Conv2dSubsampling implements ParameterOwner {

    /** The subsampling factor. */
    public enum Rate {
        /** 4x: two 3x3 stride-2 convs. */
        X4(4, 6),
        /** 6x: 3x3 stride 2, then 5x5 stride 3. */
        X6(6, 10),
        /** 8x: three 3x3 stride-2 convs. */
        X8(8, 14);

        private final int factor;
        private final int rightContext;

        Rate(int factor, int rightContext) {
            this.factor = factor;
            this.rightContext = rightContext;
        }

        /** @return the subsampling factor */
        public int factor() {
            return factor;
        }

        /** @return input frames after the first that one output frame depends on */
        public int rightContext() {
            return rightContext;
        }

        /** @return (kernel, stride) of each conv */
        int[][] convs() {
            switch (this) {
                case X4:
                    return new int[][] {{3, 2}, {3, 2}};
                case X6:
                    return new int[][] {{3, 2}, {5, 3}};
                default:
                    return new int[][] {{3, 2}, {3, 2}, {3, 2}};
            }
        }
    }

    private final Rate rate;
    private final int[][] convs;
    private final List<ModelParameter> weights = new ArrayList<>();
    private final List<ModelParameter> biases = new ArrayList<>();
    private final Linear out;
    private final PositionalEncoding positionalEncoding;

    /**
     * Creates the front end.
     *
     * @param manager the model's long-lived manager
     * @param name parameter name prefix, e.g. {@code "encoder.embed"}
     * @param rate X4, X6 or X8
     * @param inputDim F (feature bins)
     * @param outputDim d (channels of every conv, and the output dimension)
     * @param positionalEncoding the encoding applied to the output (absolute or relative)
     * @param dataType FLOAT32 or FLOAT64
     * @param seed initialization seed
     */
    public Conv2dSubsampling(
            NDManager manager, String name, Rate rate, int inputDim, int outputDim,
            PositionalEncoding positionalEncoding, DataType dataType, long seed) {
        this.rate = rate;
        this.convs = rate.convs();
        int frequency = inputDim;
        int inChannels = 1;
        for (int i = 0; i < convs.length; i++) {
            int kernel = convs[i][0];
            double bound = 1 / Math.sqrt(inChannels * kernel * kernel);
            weights.add(ModelParameter.uniform(manager, name + ".conv" + i + ".weight",
                    new Shape(outputDim, inChannels, kernel, kernel), dataType, bound, seed + 2L * i, false));
            biases.add(ModelParameter.uniform(manager, name + ".conv" + i + ".bias", new Shape(outputDim), dataType,
                    bound, seed + 2L * i + 1, false));
            frequency = convOutput(frequency, kernel, convs[i][1]);
            inChannels = outputDim;
        }
        if (frequency <= 0) {
            throw new IllegalArgumentException(
                    "Input dimension " + inputDim + " is too small for " + rate + " subsampling; use 80 fbank bins");
        }
        if (positionalEncoding.dim() != outputDim) {
            throw new IllegalArgumentException("The positional encoding has d=" + positionalEncoding.dim()
                    + " but the subsampling outputs " + outputDim);
        }
        this.out = Linear.create(manager, name + ".out", outputDim * frequency, outputDim, true, dataType, seed + 10);
        this.positionalEncoding = positionalEncoding;
    }

    private static int convOutput(int length, int kernel, int stride) {
        return length < kernel ? 0 : (length - kernel) / stride + 1;
    }

    /**
     * Output length for an input of {@code length} frames: {@code ((L-1)/2-1)/2} for X4 (0 when too short).
     *
     * @param length input frames
     * @return output frames
     */
    public int outputLength(int length) {
        int result = length;
        for (int[] conv : convs) {
            result = convOutput(result, conv[0], conv[1]);
        }
        return result;
    }

    /** What {@link #forward} returns. */
    public record Output(NDArray x, NDArray posEmb) {}

    /**
     * Subsamples and encodes positions.
     *
     * @param x {@code [B, T, F]}, T &gt;= rightContext + 1
     * @param offset position of the first output frame (streaming), 0 otherwise
     * @param training enables dropout in the positional encoding
     * @return x {@code [B, T', d]} and posEmb {@code [1, T', d]}
     */
    public Output forward(NDArray x, int offset, boolean training) {
        int time = Math.toIntExact(x.getShape().get(1));
        if (outputLength(time) <= 0) {
            throw new IllegalArgumentException("Need at least " + (rate.rightContext() + 1) + " frames for " + rate
                    + " subsampling, got " + time);
        }
        NDArray h = x.expandDims(1); // [B, 1, T, F]
        for (int i = 0; i < convs.length; i++) {
            int stride = convs[i][1];
            h = h.getNDArrayInternal().convolution(h, weights.get(i).array(), biases.get(i).array(),
                    new Shape(stride, stride), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();
            h = Activations.relu(h); // [B, d, T_i, F_i]
        }
        Shape s = h.getShape();
        h = h.swapAxes(1, 2).reshape(s.get(0), s.get(2), s.get(1) * s.get(3)); // [B, T', d * F']
        PositionalEncoding.Encoded encoded = positionalEncoding.forward(out.forward(h), offset, training);
        return new Output(encoded.x(), encoded.posEmb());
    }

    /** @return the rate */
    public Rate rate() {
        return rate;
    }

    /** @return the subsampling factor (4, 6 or 8) */
    public int subsamplingFactor() {
        return rate.factor();
    }

    /** @return input frames after the first that one output frame depends on (6, 10 or 14) */
    public int rightContext() {
        return rate.rightContext();
    }

    /** @return the positional encoding (for positions of cached keys when streaming) */
    public PositionalEncoding positionalEncoding() {
        return positionalEncoding;
    }

    /** @return the conv weights {@code [out, in, k, k]} in order */
    public List<ModelParameter> convWeights() {
        return List.copyOf(weights);
    }

    /** @return the conv biases {@code [out]} in order */
    public List<ModelParameter> convBiases() {
        return List.copyOf(biases);
    }

    /** @return the final linear map */
    public Linear out() {
        return out;
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            list.add(weights.get(i));
            list.add(biases.get(i));
        }
        list.addAll(out.parameters());
        return list;
    }
}
