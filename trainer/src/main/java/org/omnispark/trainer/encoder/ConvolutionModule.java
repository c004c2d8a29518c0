package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.nn.Activations;
import org.omnispark.trainer.nn.LayerNorm;
import org.omnispark.trainer.nn.Linear;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * The Conformer convolution module (Gulati et al.; WeNet {@code ConvolutionModule} with {@code layer_norm}):
 *
 * <pre>
 *   x [B, T, d], padding frames set to 0
 *   pointwise_conv1: Linear d -> 2d, GLU over channels -> [B, T, d], padding frames set to 0 again
 *   depthwise conv, kernel K, one filter per channel:
 *       causal:     left padding of K-1 frames (the cache of the previous chunk's last K-1 GLU outputs, or zeros)
 *       non-causal: (K-1)/2 zeros on both sides
 *   LayerNorm(d) + Swish, pointwise_conv2: Linear d -> d, padding frames set to 0 -> [B, T, d]
 * </pre>
 *
 * Difference from WeNet: WeNet pads/caches BEFORE pointwise_conv1 and does not re-mask after the GLU, so its padding
 * frames become glu(bias) != 0 and can leak into the last valid frames of a non-causal conv. Here the padding and the
 * cache are taken after the GLU, which makes the output independent of how many padding frames follow (padding
 * invariance). The depthwise weight keeps PyTorch's Conv1d layout {@code [d, 1, K]}.
 */
public final class ConvolutionModule implements ParameterOwner {

    private final int channels;
    private final int kernelSize;
    private final boolean causal;
    private final Linear pointwiseConv1;
    private final ModelParameter depthwiseWeight;
    private final ModelParameter depthwiseBias;
    private final LayerNorm norm;
    private final Linear pointwiseConv2;

    /**
     * Creates the module.
     *
     * @param manager the model's long-lived manager
     * @param name parameter name prefix, e.g. {@code "encoder.layer0.conv_module"}
     * @param channels d
     * @param kernelSize K (odd when non-causal; 15 in U2++ recipes)
     * @param causal left padding only (streaming)
     * @param layerNormEps epsilon of the LayerNorm
     * @param dataType FLOAT32 or FLOAT64
     * @param seed initialization seed (uses seed .. seed + 5)
     */
    public ConvolutionModule(
            NDManager manager, String name, int channels, int kernelSize, boolean causal, double layerNormEps,
            DataType dataType, long seed) {
        if (kernelSize < 1 || (!causal && kernelSize % 2 == 0)) {
            throw new IllegalArgumentException(
                    "The depthwise kernel must be >= 1 and odd when non-causal, got " + kernelSize);
        }
        this.channels = channels;
        this.kernelSize = kernelSize;
        this.causal = causal;
        this.pointwiseConv1 =
                Linear.create(manager, name + ".pointwise_conv1", channels, 2 * channels, true, dataType, seed);
        double bound = 1 / Math.sqrt(kernelSize); // fan-in of a depthwise filter
        this.depthwiseWeight = ModelParameter.uniform(manager, name + ".depthwise_conv.weight",
                new Shape(channels, 1, kernelSize), dataType, bound, seed + 2, false);
        this.depthwiseBias = ModelParameter.uniform(
                manager, name + ".depthwise_conv.bias", new Shape(channels), dataType, bound, seed + 3, false);
        this.norm = LayerNorm.create(manager, name + ".norm", channels, layerNormEps, dataType);
        this.pointwiseConv2 =
                Linear.create(manager, name + ".pointwise_conv2", channels, channels, true, dataType, seed + 4);
    }

    /** What {@link #forward} returns. */
    public record Output(NDArray output, NDArray newCache) {}

    /**
     * Runs the module.
     *
     * @param x {@code [B, T, d]}
     * @param padMask boolean {@code [B, 1, T]} (true = real frame), or null when every frame is real
     * @param cache causal only: {@code [B, d, K-1]} from the previous chunk, or null at the start
     * @return output {@code [B, T, d]}; newCache {@code [B, d, K-1]} (causal) or null (non-causal)
     */
    public Output forward(NDArray x, NDArray padMask, NDArray cache) {
        NDArray keep = padMask == null ? null : padMask.swapAxes(1, 2).toType(x.getDataType(), false); // [B, T, 1]
        NDArray h = keep == null ? x : x.mul(keep);
        h = Activations.glu(pointwiseConv1.forward(h), 2); // [B, T, d]
        if (keep != null) {
            h = h.mul(keep);
        }
        h = h.swapAxes(1, 2); // [B, d, T]
        NDArray newCache = null;
        int padding;
        if (causal) {
            int lorder = kernelSize - 1;
            if (cache == null || cache.getShape().dimension() != 3 || cache.getShape().get(2) == 0) {
                h = h.pad(new Shape(lorder, 0), 0); // zeros on the left of the time axis: [B, d, K-1+T]
            } else {
                h = cache.concat(h, 2); // [B, d, K-1+T]
            }
            long total = h.getShape().get(2);
            newCache = h.get("..., {}:", total - lorder); // [B, d, K-1]
            padding = 0;
        } else {
            padding = (kernelSize - 1) / 2;
        }
        h = h.getNDArrayInternal().convolution(h, depthwiseWeight.array(), depthwiseBias.array(), new Shape(1),
                new Shape(padding), new Shape(1), channels).singletonOrThrow(); // [B, d, T]
        h = h.swapAxes(1, 2); // [B, T, d]
        h = pointwiseConv2.forward(Activations.swish(norm.forward(h)));
        if (keep != null) {
            h = h.mul(keep);
        }
        return new Output(h, newCache);
    }

    /** @return K */
    public int kernelSize() {
        return kernelSize;
    }

    /** @return whether the depthwise conv is causal */
    public boolean isCausal() {
        return causal;
    }

    /** @return pointwise_conv1 (d -&gt; 2d) */
    public Linear pointwiseConv1() {
        return pointwiseConv1;
    }

    /** @return depthwise weight {@code [d, 1, K]} */
    public ModelParameter depthwiseWeight() {
        return depthwiseWeight;
    }

    /** @return depthwise bias {@code [d]} */
    public ModelParameter depthwiseBias() {
        return depthwiseBias;
    }

    /** @return the LayerNorm after the depthwise conv */
    public LayerNorm norm() {
        return norm;
    }

    /** @return pointwise_conv2 (d -&gt; d) */
    public Linear pointwiseConv2() {
        return pointwiseConv2;
    }

    @Override
    public List<ModelParameter> parameters() {
        List<ModelParameter> list = new ArrayList<>(pointwiseConv1.parameters());
        list.add(depthwiseWeight);
        list.add(depthwiseBias);
        list.addAll(norm.parameters());
        list.addAll(pointwiseConv2.parameters());
        return list;
    }
}
