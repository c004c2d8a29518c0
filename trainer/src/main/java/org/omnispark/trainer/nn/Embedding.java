package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.List;

/** A lookup table from token ids to vectors: {@code weight [V, d]}, {@code y[..., :] = weight[ids[...], :]}. */
public final class Embedding implements ParameterOwner {

    private final ModelParameter weight;

    /** @param weight the table {@code [V, d]} */
    public Embedding(ModelParameter weight) {
        if (weight.array().getShape().dimension() != 2) {
            throw new IllegalArgumentException("An embedding table must be [V, d], got " + weight.array().getShape());
        }
        this.weight = weight;
    }

    /**
     * Creates a table with entries uniform in +-sqrt(3) (unit variance, like PyTorch's N(0, 1) default).
     *
     * @param manager the model's long-lived manager
     * @param name parameter name, e.g. {@code "decoder.embed"}
     * @param vocabSize V
     * @param dim d
     * @param dataType FLOAT32 or FLOAT64
     * @param seed initialization seed
     * @return the layer
     */
    public static Embedding create(
            NDManager manager, String name, int vocabSize, int dim, DataType dataType, long seed) {
        if (vocabSize <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding " + name + " needs V > 0 and d > 0, got " + vocabSize + ", "
                    + dim);
        }
        return new Embedding(ModelParameter.uniform(
                manager, name + ".weight", new Shape(vocabSize, dim), dataType, Math.sqrt(3), seed, false));
    }

    /**
     * Looks up ids.
     *
     * @param ids integer ids {@code [...]} (INT32 or INT64), each in [0, V)
     * @return {@code [..., d]}, in the ids' manager
     */
    public NDArray forward(NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, weight.array(), SparseFormat.DENSE).singletonOrThrow();
    }

    /** @return the table {@code [V, d]} */
    public ModelParameter weight() {
        return weight;
    }

    @Override
    public List<ModelParameter> parameters() {
        return List.of(weight);
    }
}
