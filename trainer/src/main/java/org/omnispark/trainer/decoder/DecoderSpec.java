package org.omnispark.trainer.decoder;

import ai.djl.ndarray.types.DataType;

/**
 * Shape and options of one {@link TransformerDecoder} (WeNet's {@code TransformerDecoder} arguments).
 *
 * @param vocabSize V (sos/eos = V - 1 included)
 * @param modelDim d (attention_dim), even, divisible by numHeads
 * @param numHeads attention heads
 * @param numBlocks decoder layers
 * @param dropoutRate dropout after each sub-block (residual branch) and after the positional encoding
 * @param selfAttentionDropoutRate dropout on self-attention weights
 * @param sourceAttentionDropoutRate dropout on cross-attention weights
 * @param maxLength longest label sequence + 1 the positional table covers
 * @param layerNormEps LayerNorm epsilon (WeNet: 1e-5)
 * @param dataType FLOAT32 for training, FLOAT64 for gradient checks
 */
public record DecoderSpec(
        int vocabSize,
        int modelDim,
        int numHeads,
        int numBlocks,
        double dropoutRate,
        double selfAttentionDropoutRate,
        double sourceAttentionDropoutRate,
        int maxLength,
        double layerNormEps,
        DataType dataType) {

    /** Validates. */
    public DecoderSpec {
        if (vocabSize <= 1 || modelDim <= 0 || modelDim % 2 != 0 || numHeads <= 0 || modelDim % numHeads != 0) {
            throw new IllegalArgumentException("DecoderSpec needs V > 1 and an even d divisible by numHeads, got V="
                    + vocabSize + " d=" + modelDim + " heads=" + numHeads);
        }
        if (numBlocks < 0 || maxLength <= 0 || !(layerNormEps > 0)) {
            throw new IllegalArgumentException("numBlocks must be >= 0, maxLength > 0, eps > 0; got " + numBlocks
                    + ", " + maxLength + ", " + layerNormEps);
        }
        for (double rate : new double[] {dropoutRate, selfAttentionDropoutRate, sourceAttentionDropoutRate}) {
            if (rate < 0 || rate >= 1) {
                throw new IllegalArgumentException("Dropout rates must be in [0, 1), got " + rate);
            }
        }
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
            throw new IllegalArgumentException("dataType must be FLOAT32 or FLOAT64, got " + dataType);
        }
    }

    /** @return a builder; setVocabSize, setModelDim, setNumHeads and setNumBlocks are required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a copy with another number of blocks (the right-to-left decoder's r_num_blocks) */
    public DecoderSpec withNumBlocks(int blocks) {
        return new DecoderSpec(vocabSize, modelDim, numHeads, blocks, dropoutRate, selfAttentionDropoutRate,
                sourceAttentionDropoutRate, maxLength, layerNormEps, dataType);
    }

    /** Builder of {@link DecoderSpec}; defaults follow WeNet's U2++ recipes. */
    public static final class Builder {
        private int vocabSize;
        private int modelDim;
        private int numHeads;
        private int numBlocks = -1;
        private double dropoutRate = 0.1;
        private double selfAttentionDropoutRate;
        private double sourceAttentionDropoutRate;
        private int maxLength = 5000;
        private double layerNormEps = 1e-5;
        private DataType dataType = DataType.FLOAT32;

        /** @param vocabSize V @return this */
        public Builder setVocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /** @param modelDim d @return this */
        public Builder setModelDim(int modelDim) {
            this.modelDim = modelDim;
            return this;
        }

        /** @param numHeads H @return this */
        public Builder setNumHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        /** @param numBlocks layers (U2++: 3 left-to-right, 3 right-to-left) @return this */
        public Builder setNumBlocks(int numBlocks) {
            this.numBlocks = numBlocks;
            return this;
        }

        /** @param rate default 0.1 @return this */
        public Builder optDropoutRate(double rate) {
            this.dropoutRate = rate;
            return this;
        }

        /** @param rate default 0 @return this */
        public Builder optSelfAttentionDropoutRate(double rate) {
            this.selfAttentionDropoutRate = rate;
            return this;
        }

        /** @param rate default 0 @return this */
        public Builder optSourceAttentionDropoutRate(double rate) {
            this.sourceAttentionDropoutRate = rate;
            return this;
        }

        /** @param maxLength default 5000 @return this */
        public Builder optMaxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** @param eps default 1e-5 @return this */
        public Builder optLayerNormEps(double eps) {
            this.layerNormEps = eps;
            return this;
        }

        /** @param dataType default FLOAT32 @return this */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /** @return the validated config */
        public DecoderSpec build() {
            return new DecoderSpec(vocabSize, modelDim, numHeads, numBlocks, dropoutRate, selfAttentionDropoutRate,
                    sourceAttentionDropoutRate, maxLength, layerNormEps, dataType);
        }
    }
}
