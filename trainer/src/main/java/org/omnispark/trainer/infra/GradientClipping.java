package org.omnispark.trainer.infra;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import org.omnispark.trainer.nn.HostSyncs;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Gradient utilities: global-norm clipping (as {@code torch.nn.utils.clip_grad_norm_}) and scaling (for gradient
 * accumulation or data-parallel averaging). Gradients are modified in place, with grad mode off.
 */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Returns the global L2 norm of all gradients, {@code sqrt(sum over parameters of ||g||^2)}, as PyTorch's
     * {@code clip_grad_norm_} computes it: each parameter's norm by libtorch in the gradient's type (one read of the
     * gradient, no copies), the norms read on the host together (one {@link HostSyncs} sync), the sum of their squares
     * in double.
     *
     * @param parameters the parameters (each once)
     * @return the norm; NaN or infinite when a gradient is
     */
    public static double globalNorm(List<ModelParameter> parameters) {
        return Math.sqrt(sumOfSquares(parameters));
    }

    /**
     * Returns {@code sum over parameters of ||g||^2} (the square of {@link #globalNorm}), for norms over gradients
     * spread across ranks.
     *
     * @param parameters the parameters (each once)
     * @return the sum of squares, in double
     */
    public static double sumOfSquares(List<ModelParameter> parameters) {
        if (parameters.isEmpty()) {
            return 0;
        }
        // every norm stays on the device; they are read on the host together, one sync, not one per parameter
        NDList norms = new NDList(parameters.size());
        try {
            for (ModelParameter p : parameters) {
                try (NDArray g = p.gradient(); NDArray norm = g.norm()) {
                    norms.add(norm.reshape(1));
                }
            }
            double sum = 0;
            try (NDArray all = NDArrays.concat(norms, 0)) {
                for (double n : HostSyncs.doubles(all, HostSyncs.Kind.GRADIENT_NORM)) {
                    sum += n * n;
                }
            }
            return sum;
        } finally {
            norms.close();
        }
    }

    /**
     * Scales all gradients so that their global norm is at most {@code maxNorm}: with {@code n} the global norm and
     * {@code c = maxNorm / (n + 1e-6)}, every gradient is multiplied by {@code c} when {@code c < 1} (PyTorch's
     * rule). A non-finite norm leaves the gradients unchanged: skip that update ({@link #isFinite}).
     *
     * @param parameters the parameters (each once)
     * @param maxNorm the largest allowed norm, &gt; 0
     * @return the global norm BEFORE clipping (what training logs report as grad_norm)
     */
    public static double clipGlobalNorm(List<ModelParameter> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm + "; to disable clipping, "
                    + "call globalNorm instead");
        }
        double norm = globalNorm(parameters);
        clipToNorm(parameters, norm, maxNorm);
        return norm;
    }

    /**
     * Clips with a norm measured elsewhere (e.g. over every rank's gradients): multiplies every gradient by {@code
     * maxNorm / (norm + 1e-6)} when that is below 1 and the norm is finite.
     *
     * @param parameters the parameters (each once)
     * @param norm the global norm
     * @param maxNorm the largest allowed norm, &gt; 0
     */
    public static void clipToNorm(List<ModelParameter> parameters, double norm, double maxNorm) {
        double coefficient = maxNorm / (norm + 1e-6);
        if (isFinite(norm) && coefficient < 1) {
            scale(parameters, coefficient);
        }
    }

    /**
     * Multiplies every gradient by {@code factor} in place (e.g. 1 / accum_grad, or 1 / world size).
     *
     * @param parameters the parameters (each once)
     * @param factor the factor
     */
    public static void scale(List<ModelParameter> parameters, double factor) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (ModelParameter p : parameters) {
                try (NDArray g = p.gradient()) {
                    g.muli(factor); // shares storage with the parameter's gradient
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** @param norm a gradient norm @return true if it is neither NaN nor infinite */
    public static boolean isFinite(double norm) {
        return !Double.isNaN(norm) && !Double.isInfinite(norm);
    }
}
