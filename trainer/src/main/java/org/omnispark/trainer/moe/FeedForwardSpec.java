package org.omnispark.trainer.moe;

import ai.djl.ndarray.types.DataType;

/**
 * Shape and options of one feed-forward network d -&gt; ffn -&gt; d (dense, or one expert).
 *
 * @param modelDim the model dimension d
 * @param ffnDim the hidden dimension of the FFN
 * @param activation the activation between the two linear maps
 * @param bias whether both linear maps have a bias
 * @param dataType FLOAT32 for training, FLOAT64 for gradient checks
 */
public record FeedForwardSpec(
        int modelDim, int ffnDim, FfnActivation activation, boolean bias, DataType dataType) {

    /** Validates the values. */
    public FeedForwardSpec {
        if (modelDim <= 0 || ffnDim <= 0) {
            throw new IllegalArgumentException(
                    "modelDim and ffnDim must be positive, got " + modelDim + " and " + ffnDim);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation is required: RELU, GELU or SWISH");
        }
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
            throw new IllegalArgumentException(
                    "dataType must be FLOAT32 or FLOAT64, got " + dataType + "; train in FLOAT32");
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder: setModelDim and setFfnDim are required. */
    public static final class Builder {
        private int modelDim;
        private int ffnDim;
        private FfnActivation activation = FfnActivation.RELU;
        private boolean bias = true;
        private DataType dataType = DataType.FLOAT32;

        /** @param modelDim d @return this */
        public Builder setModelDim(int modelDim) {
            this.modelDim = modelDim;
            return this;
        }

        /** @param ffnDim hidden dimension @return this */
        public Builder setFfnDim(int ffnDim) {
            this.ffnDim = ffnDim;
            return this;
        }

        /** @param activation default RELU @return this */
        public Builder optActivation(FfnActivation activation) {
            this.activation = activation;
            return this;
        }

        /** @param bias default true @return this */
        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** @param dataType default FLOAT32 @return this */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /** @return the validated config */
        public FeedForwardSpec build() {
            return new FeedForwardSpec(modelDim, ffnDim, activation, bias, dataType);
        }
    }
}
