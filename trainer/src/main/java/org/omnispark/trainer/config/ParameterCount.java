package org.omnispark.trainer.config;

/**
 * Parameter counts computed from a {@link ModelConfig}, following WeNet's layer layout (an estimate until checked
 * against a built model: compare with the sum of the model's {@code ParameterCollector.unique} sizes).
 *
 * <p>Layout counted: Conv2d subsampling (conv2d: two 3x3 convs, conv2d6: 3x3 + 5x5, conv2d8: three 3x3, then a linear
 * to d); per encoder layer: self-attention {@code 4(d^2 + d)} (+ {@code d^2 + 2d} for the Conformer's relative
 * position projection and biases), FFN (Conformer: two, macaron), Conformer conv module (pointwise d-&gt;2d, depthwise
 * k, norm, pointwise d-&gt;d), LayerNorms; final norm; CTC linear {@code d*V + V}; decoder: embedding {@code V*d}, per
 * layer self- and source-attention, FFN, 3 norms; final norm and output linear, per direction. A dense FFN is {@code
 * 2*d*u + u + d}; an MoE FFN is E experts of that size plus a gate {@code d*E} (no bias), the gate counted once per
 * stack for Omni-router. ACTIVE parameters count top_k experts per MoE FFN (all gates included).
 *
 * @param total all parameters
 * @param active parameters used per token
 * @param encoder encoder parameters (subsampling included), total
 * @param decoder decoder parameters (both directions), total
 * @param ctc the CTC projection
 */
public record ParameterCount(long total, long active, long encoder, long decoder, long ctc) {

    /**
     * Counts parameters.
     *
     * @param config the model config
     * @param vocabSize the vocabulary size (config.outputDim() if set)
     * @return the counts
     */
    public static ParameterCount of(ModelConfig config, int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize
                    + "; pass the tokenizer's vocabulary size");
        }
        EncoderConf enc = config.encoderConf();
        long d = enc.outputSize();
        long v = vocabSize;
        boolean conformer = config.encoder().equals("conformer");

        long[] encFfn = ffn(d, enc.linearUnits(), enc.ffn()); // {total, active} per FFN without shared gate
        int ffnsPerLayer = conformer ? 2 : 1;
        long attention = 4 * (d * d + d) + (conformer ? d * d + 2 * d : 0);
        long conv = conformer && enc.useCnnModule()
                ? (2 * d * d + 2 * d) + (d * enc.cnnModuleKernel() + d) + 2 * d + (d * d + d) : 0;
        long norms = (conformer ? (enc.useCnnModule() ? 5 : 4) : 2) * 2 * d;
        long layerFixed = attention + conv + norms;
        long encoderTotal = subsampling(enc.inputLayer(), config.inputDim(), d) + 2 * d
                + enc.numBlocks() * (layerFixed + ffnsPerLayer * encFfn[0]);
        long encoderActive = encoderTotal - enc.numBlocks() * ffnsPerLayer * (encFfn[0] - encFfn[1]);
        if (enc.ffn().sharedRouter()) {
            encoderTotal += d * enc.ffn().numExperts();
            encoderActive += d * enc.ffn().numExperts();
        }

        long decoderTotal = 0;
        long decoderActive = 0;
        if (config.hasDecoder()) {
            DecoderConf dec = config.decoderConf();
            long[] decFfn = ffn(d, dec.linearUnits(), dec.ffn());
            long layerFixedDec = 2 * 4 * (d * d + d) + 3 * 2 * d;
            for (int blocks : new int[] {dec.numBlocks(), dec.rNumBlocks()}) {
                if (blocks == 0) {
                    continue;
                }
                long fixed = v * d + 2 * d + (d * v + v) + blocks * layerFixedDec;
                long gate = dec.ffn().sharedRouter() ? d * dec.ffn().numExperts() : 0;
                decoderTotal += fixed + blocks * decFfn[0] + gate;
                decoderActive += fixed + blocks * decFfn[1] + gate;
            }
        }
        long ctc = d * v + v;
        return new ParameterCount(encoderTotal + decoderTotal + ctc, encoderActive + decoderActive + ctc,
                encoderTotal, decoderTotal, ctc);
    }

    /** {total, active} of one FFN; a per-layer gate (switch) is included, a shared gate (omni) is not. */
    private static long[] ffn(long d, long units, FfnConf ffn) {
        long expert = 2 * d * units + units + d;
        if (!ffn.isMoe()) {
            return new long[] {expert, expert};
        }
        long gate = ffn.sharedRouter() ? 0 : d * ffn.numExperts();
        return new long[] {ffn.numExperts() * expert + gate, ffn.topK() * expert + gate};
    }

    private static long subsampling(String inputLayer, long inputDim, long d) {
        long conv3 = 9 * d * d + d;
        long first = 9 * d + d; // 1 -> d channels, 3x3
        long f1 = (inputDim - 1) / 2; // frequency bins after the first stride-2 conv
        return switch (inputLayer) {
            case "conv2d6" -> first + (25 * d * d + d) + d * ((f1 - 2) / 3) * d + d;
            case "conv2d8" -> first + 2 * conv3 + d * ((((f1 - 1) / 2) - 1) / 2) * d + d;
            default -> first + conv3 + d * ((f1 - 1) / 2) * d + d;
        };
    }

    /** @return e.g. "total 5.31M, active 3.12M (encoder 4.1M, decoder 1.0M, ctc 0.2M)" */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "total %.2fM, active %.2fM (encoder %.2fM, decoder %.2fM, "
                + "ctc %.2fM)", total / 1e6, active / 1e6, encoder / 1e6, decoder / 1e6, ctc / 1e6);
    }
}
