package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One trainable tensor: an NDArray with gradient attached, owned by the model's long-lived manager.
 *
 * <p>A parameter is identified by object identity; sharing the object between layers shares the tensor, and autograd
 * then sums the gradient contributions of all uses.
 */
public final class ModelParameter {

    private final String name;
    private final NDArray array;
    private final boolean expertParameter;

    /**
     * Wraps an existing array as a parameter and attaches a gradient to it.
     *
     * @param name a name that is unique within the model, e.g. {@code "layer3.moe.experts.w1"}
     * @param array the tensor; it must belong to a manager that lives as long as the model
     * @param expertParameter true for expert weights (excluded from the data-parallel all-reduce under expert
     *     parallelism)
     */
    public ModelParameter(String name, NDArray array, boolean expertParameter) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A parameter needs a non-blank name; pass e.g. \"layer0.ffn.w1\"");
        }
        this.name = name;
        this.array = Objects.requireNonNull(array, "array");
        this.expertParameter = expertParameter;
        array.setRequiresGradient(true);
    }

    /**
     * Creates a parameter filled with values uniform in {@code [-bound, bound]} from a seeded host RNG.
     *
     * @param manager the model's long-lived manager
     * @param name the parameter name
     * @param shape the shape
     * @param dataType FLOAT32 for training, FLOAT64 for gradient checks
     * @param bound the half-width of the uniform range (PyTorch's Linear uses 1/sqrt(fanIn))
     * @param seed the RNG seed
     * @param expertParameter whether this is an expert weight
     * @return the new parameter
     */
    public static ModelParameter uniform(
            NDManager manager,
            String name,
            Shape shape,
            DataType dataType,
            double bound,
            long seed,
            boolean expertParameter) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (2 * random.nextDouble() - 1) * bound;
        }
        NDArray array = manager.create(values, shape).toType(dataType, false);
        return new ModelParameter(name, array, expertParameter);
    }

    /** @return the parameter name */
    public String name() {
        return name;
    }

    /** @return the tensor (with gradient attached); do not close it */
    public NDArray array() {
        return array;
    }

    /** @return true for expert weights */
    public boolean isExpertParameter() {
        return expertParameter;
    }

    /**
     * Returns the accumulated gradient (a new handle on the parameter's manager; close it when done).
     *
     * @return the gradient, same shape as the parameter
     */
    public NDArray gradient() {
        return array.getGradient();
    }

    /**
     * Makes the accumulated gradient exist: a parameter that no backward pass reached this step (an expert that
     * received no token on this rank) has none, and {@link #gradient()} then returns a detached zero tensor, so an
     * in-place write to it (the all-reduce of an expert's gradient among its replicas) would be lost and the
     * optimizer would see zeros. After this call the gradient is this parameter's own (zeros if it had none).
     */
    public void ensureGradient() {
        if (JniUtils.getGradient((PtNDArray) array) != null) {
            return;
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try (NDArray zeros = array.zerosLike()) {
            JniUtils.backward((PtNDArray) array, (PtNDArray) zeros, false, false); // a leaf: accumulates zeros
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Zeroes the accumulated gradient. */
    public void zeroGradient() {
        JniUtils.zeroGrad((PtNDArray) array);
    }

    /**
     * Overwrites the values in place (with grad mode off on this thread for the duration of the copy).
     *
     * @param source values of the same shape; converted to this parameter's data type
     */
    public void setValue(NDArray source) {
        if (!source.getShape().equals(array.getShape())) {
            throw new IllegalArgumentException(
                    "Parameter " + name + " has shape " + array.getShape() + " but the new value has shape "
                            + source.getShape() + "; reshape or transpose the source first");
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDArray converted = source.toType(array.getDataType(), true)) {
            array.set(converted.toByteBuffer());
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    @Override
    public String toString() {
        return "ModelParameter{" + name + ", " + array.getShape() + ", " + array.getDataType()
                + (expertParameter ? ", expert" : "") + "}";
    }
}
