package org.omnispark.trainer.encoder;

import ai.djl.ndarray.types.DataType;

/**
 * Shape and options of an encoder stack (WeNet's {@code encoder_conf} names in comments).
 *
 * @param type conformer or transformer
 * @param inputDim feature bins F (80)
 * @param outputDim model dimension d ({@code output_size}, 256)
 * @param attentionHeads H ({@code attention_heads}, 4)
 * @param linearUnits hidden size of the default dense FF ({@code linear_units}, 2048)
 * @param numBlocks layers ({@code num_blocks}, 12)
 * @param dropoutRate residual dropout ({@code dropout_rate}, 0.1)
 * @param positionalDropoutRate ({@code positional_dropout_rate}, 0.1)
 * @param attentionDropoutRate ({@code attention_dropout_rate}, 0.0)
 * @param subsampling X4, X6 or X8 ({@code input_layer: conv2d, conv2d6, conv2d8})
 * @param relativePositions rel_pos + rel_selfattn (true) or abs_pos + selfattn (false)
 * @param macaron conformer: two half-step FFs ({@code macaron_style})
 * @param convolutionModule conformer: with convolution module ({@code use_cnn_module})
 * @param cnnKernel conformer: depthwise kernel ({@code cnn_module_kernel}, 15)
 * @param causal conformer: causal convolution ({@code causal}, required for streaming)
 * @param staticChunkSize chunk frames after subsampling for every forward (0 = off)
 * @param dynamicChunk dynamic chunk training ({@code use_dynamic_chunk})
 * @param dynamicLeftChunks random left-chunk limit too ({@code use_dynamic_left_chunk})
 * @param maxDynamicChunk largest dynamic chunk (25 in U2++)
 * @param layerNormEps epsilon of every LayerNorm (1e-5)
 * @param maxLength positional table length (5000)
 * @param dataType FLOAT32 for training, FLOAT64 for gradient checks
 * @param seed initialization and dynamic-chunk seed
 */
public record EncoderSpec(
        EncoderType type,
        int inputDim,
        int outputDim,
        int attentionHeads,
        int linearUnits,
        int numBlocks,
        double dropoutRate,
        double positionalDropoutRate,
        double attentionDropoutRate,
        Conv2dSubsampling.Rate subsampling,
        boolean relativePositions,
        boolean macaron,
        boolean convolutionModule,
        int cnnKernel,
        boolean causal,
        int staticChunkSize,
        boolean dynamicChunk,
        boolean dynamicLeftChunks,
        int maxDynamicChunk,
        double layerNormEps,
        int maxLength,
        DataType dataType,
        long seed) {

    /** Validates the values. */
    public EncoderSpec {
        if (type == null || subsampling == null) {
            throw new IllegalArgumentException("type and subsampling are required");
        }
        if (inputDim <= 0 || outputDim <= 0 || linearUnits <= 0 || numBlocks <= 0) {
            throw new IllegalArgumentException("inputDim, outputDim, linearUnits and numBlocks must be positive, got "
                    + inputDim + ", " + outputDim + ", " + linearUnits + ", " + numBlocks);
        }
        if (attentionHeads <= 0 || outputDim % attentionHeads != 0 || outputDim % 2 != 0) {
            throw new IllegalArgumentException("outputDim " + outputDim + " must be even and a multiple of "
                    + "attentionHeads " + attentionHeads);
        }
        if (staticChunkSize < 0 || maxDynamicChunk <= 0 || cnnKernel <= 0 || maxLength <= 0 || !(layerNormEps > 0)) {
            throw new IllegalArgumentException("staticChunkSize >= 0, maxDynamicChunk, cnnKernel, maxLength and "
                    + "layerNormEps > 0 are required");
        }
        if (type == EncoderType.CONFORMER && convolutionModule && !causal && cnnKernel % 2 == 0) {
            throw new IllegalArgumentException("A non-causal convolution needs an odd cnnKernel, got " + cnnKernel);
        }
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT64) {
            throw new IllegalArgumentException("dataType must be FLOAT32 or FLOAT64, got " + dataType);
        }
    }

    /** @return attention head size dk = d / H */
    public int headDim() {
        return outputDim / attentionHeads;
    }

    /**
     * Starts a builder; setType, setInputDim and setOutputDim are required.
     *
     * @return the builder with WeNet's U2++ defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link EncoderSpec}. */
    public static final class Builder {
        private EncoderType type;
        private int inputDim;
        private int outputDim;
        private int attentionHeads = 4;
        private int linearUnits = 2048;
        private int numBlocks = 12;
        private double dropoutRate = 0.1;
        private double positionalDropoutRate = 0.1;
        private double attentionDropoutRate;
        private Conv2dSubsampling.Rate subsampling = Conv2dSubsampling.Rate.X4;
        private Boolean relativePositions;
        private boolean macaron = true;
        private boolean convolutionModule = true;
        private int cnnKernel = 15;
        private boolean causal;
        private int staticChunkSize;
        private boolean dynamicChunk;
        private boolean dynamicLeftChunks;
        private int maxDynamicChunk = ChunkMasks.MAX_DYNAMIC_CHUNK;
        private double layerNormEps = 1e-5;
        private int maxLength = 5000;
        private DataType dataType = DataType.FLOAT32;
        private long seed = 42;

        /** @param type conformer or transformer @return this */
        public Builder setType(EncoderType type) {
            this.type = type;
            return this;
        }

        /** @param inputDim F @return this */
        public Builder setInputDim(int inputDim) {
            this.inputDim = inputDim;
            return this;
        }

        /** @param outputDim d @return this */
        public Builder setOutputDim(int outputDim) {
            this.outputDim = outputDim;
            return this;
        }

        /** @param heads default 4 @return this */
        public Builder optAttentionHeads(int heads) {
            this.attentionHeads = heads;
            return this;
        }

        /** @param linearUnits default 2048 @return this */
        public Builder optLinearUnits(int linearUnits) {
            this.linearUnits = linearUnits;
            return this;
        }

        /** @param numBlocks default 12 @return this */
        public Builder optNumBlocks(int numBlocks) {
            this.numBlocks = numBlocks;
            return this;
        }

        /**
         * @param dropout residual dropout, default 0.1
         * @param positional positional dropout, default 0.1
         * @param attention attention dropout, default 0
         * @return this
         */
        public Builder optDropout(double dropout, double positional, double attention) {
            this.dropoutRate = dropout;
            this.positionalDropoutRate = positional;
            this.attentionDropoutRate = attention;
            return this;
        }

        /** @param rate default X4 @return this */
        public Builder optSubsampling(Conv2dSubsampling.Rate rate) {
            this.subsampling = rate;
            return this;
        }

        /** @param relative default true for conformer, false for transformer @return this */
        public Builder optRelativePositions(boolean relative) {
            this.relativePositions = relative;
            return this;
        }

        /** @param macaron default true @return this */
        public Builder optMacaron(boolean macaron) {
            this.macaron = macaron;
            return this;
        }

        /** @param use default true @return this */
        public Builder optConvolutionModule(boolean use) {
            this.convolutionModule = use;
            return this;
        }

        /** @param kernel default 15 @return this */
        public Builder optCnnKernel(int kernel) {
            this.cnnKernel = kernel;
            return this;
        }

        /** @param causal default false; true for streaming @return this */
        public Builder optCausal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /** @param chunk default 0 (off) @return this */
        public Builder optStaticChunkSize(int chunk) {
            this.staticChunkSize = chunk;
            return this;
        }

        /**
         * @param dynamic dynamic chunk training, default false
         * @param dynamicLeft random left-chunk limit, default false
         * @return this
         */
        public Builder optDynamicChunk(boolean dynamic, boolean dynamicLeft) {
            this.dynamicChunk = dynamic;
            this.dynamicLeftChunks = dynamicLeft;
            return this;
        }

        /** @param maxChunk default 25 @return this */
        public Builder optMaxDynamicChunk(int maxChunk) {
            this.maxDynamicChunk = maxChunk;
            return this;
        }

        /** @param eps default 1e-5 @return this */
        public Builder optLayerNormEps(double eps) {
            this.layerNormEps = eps;
            return this;
        }

        /** @param maxLength default 5000 @return this */
        public Builder optMaxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** @param dataType default FLOAT32 @return this */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /** @param seed default 42 @return this */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the validated config */
        public EncoderSpec build() {
            if (type == null) {
                throw new IllegalStateException("EncoderSpec needs setType(CONFORMER or TRANSFORMER)");
            }
            boolean relative = relativePositions != null ? relativePositions : type == EncoderType.CONFORMER;
            return new EncoderSpec(type, inputDim, outputDim, attentionHeads, linearUnits, numBlocks, dropoutRate,
                    positionalDropoutRate, attentionDropoutRate, subsampling, relative, macaron, convolutionModule,
                    cnnKernel, causal, staticChunkSize, dynamicChunk, dynamicLeftChunks, maxDynamicChunk,
                    layerNormEps, maxLength, dataType, seed);
        }
    }
}
