package org.omnispark.trainer.ctc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.omnispark.trainer.nn.Autocast;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * The CTC branch on top of the encoder: {@code logProbs = log_softmax(hidden W + b)} and its loss.
 *
 * <pre>
 *   hidden    [B, T, d]  encoder output
 *   W         [d, V]     input-major (PyTorch's ctc_lo.weight transposed), b [V]
 *   logProbs  [B, T, V]
 * </pre>
 */
public final class CtcHead implements ParameterOwner {

    private final ModelParameter weight;
    private final ModelParameter bias;
    private final CtcLoss loss;

    private CtcHead(ModelParameter weight, ModelParameter bias, CtcLoss loss) {
        this.weight = weight;
        this.bias = bias;
        this.loss = loss;
    }

    /** @return a builder; setManager, setModelDim and setVocabSize are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Projects and log-softmaxes.
     *
     * @param hidden {@code [B, T, d]} (or {@code [T, d]})
     * @return {@code [B, T, V]} log-probabilities
     */
    public NDArray logProbs(NDArray hidden) {
        return Autocast.matMul(hidden, weight.array()).add(bias.array()).logSoftmax(-1);
    }

    /**
     * The CTC loss of a batch.
     *
     * @param hidden {@code [B, T, d]} encoder output
     * @param hiddenLengths {@code [B]} valid frames
     * @param targets {@code [B, S]} labels, padded with anything (e.g. -1)
     * @param targetLengths {@code [B]}
     * @return scalar loss (reduced as configured; WeNet: sum / B)
     */
    public NDArray loss(NDArray hidden, NDArray hiddenLengths, NDArray targets, NDArray targetLengths) {
        NDArray logProbs = logProbs(hidden).transpose(1, 0, 2); // [T, B, V]
        return loss.forward(logProbs, targets, hiddenLengths, targetLengths);
    }

    /** @return W {@code [d, V]} */
    public ModelParameter weight() {
        return weight;
    }

    /** @return b {@code [V]} */
    public ModelParameter bias() {
        return bias;
    }

    /** @return the loss function */
    public CtcLoss ctcLoss() {
        return loss;
    }

    @Override
    public List<ModelParameter> parameters() {
        return List.of(weight, bias);
    }

    /** Builder of {@link CtcHead}. */
    public static final class Builder {
        private NDManager manager;
        private int modelDim;
        private int vocabSize;
        private String name = "ctc";
        private long seed = 17;
        private DataType dataType = DataType.FLOAT32;
        private CtcLoss loss = CtcLoss.wenet();

        /** @param manager the model's long-lived manager @return this */
        public Builder setManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        /** @param modelDim the encoder output dimension d @return this */
        public Builder setModelDim(int modelDim) {
            this.modelDim = modelDim;
            return this;
        }

        /** @param vocabSize V, blank included @return this */
        public Builder setVocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /** @param name parameter name prefix, default "ctc" @return this */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /** @param seed initialization seed, default 17 @return this */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param dataType default FLOAT32 @return this */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /** @param loss default {@link CtcLoss#wenet()} @return this */
        public Builder optLoss(CtcLoss loss) {
            this.loss = loss;
            return this;
        }

        /** @return the head, initialized like PyTorch's Linear (uniform in +-1/sqrt(d)) */
        public CtcHead build() {
            if (manager == null) {
                throw new IllegalStateException("CtcHead needs setManager(the model's long-lived manager)");
            }
            if (modelDim <= 0 || vocabSize <= 1) {
                throw new IllegalStateException("CtcHead needs setModelDim(d > 0) and setVocabSize(V > 1, blank "
                        + "included); got d=" + modelDim + ", V=" + vocabSize);
            }
            if (loss == null) {
                throw new IllegalStateException("optLoss(null) is not allowed; leave it out for WeNet's CTC loss");
            }
            double bound = 1 / Math.sqrt(modelDim);
            ModelParameter w = ModelParameter.uniform(
                    manager, name + ".weight", new Shape(modelDim, vocabSize), dataType, bound, seed, false);
            ModelParameter b = ModelParameter.uniform(
                    manager, name + ".bias", new Shape(vocabSize), dataType, bound, seed + 1, false);
            return new CtcHead(w, b, loss);
        }
    }
}
