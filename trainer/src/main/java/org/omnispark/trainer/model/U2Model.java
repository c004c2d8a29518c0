package org.omnispark.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.trainer.config.DecoderConf;
import org.omnispark.trainer.config.EncoderConf;
import org.omnispark.trainer.config.ModelConfig;
import org.omnispark.trainer.ctc.CtcHead;
import org.omnispark.trainer.search.U2Decoding;
import org.omnispark.trainer.decoder.AttentionDecoder;
import org.omnispark.trainer.decoder.BiTransformerDecoder;
import org.omnispark.trainer.decoder.DecoderSpec;
import org.omnispark.trainer.decoder.DecoderOutput;
import org.omnispark.trainer.decoder.HybridLoss;
import org.omnispark.trainer.decoder.LabelSmoothingLoss;
import org.omnispark.trainer.decoder.PreparedTargets;
import org.omnispark.trainer.decoder.TargetPreparation;
import org.omnispark.trainer.decoder.TransformerDecoder;
import org.omnispark.trainer.encoder.BaseEncoder;
import org.omnispark.trainer.encoder.ChunkMasks;
import org.omnispark.trainer.encoder.Conv2dSubsampling;
import org.omnispark.trainer.encoder.EncoderSpec;
import org.omnispark.trainer.encoder.EncoderOutput;
import org.omnispark.trainer.encoder.EncoderType;
import org.omnispark.trainer.encoder.FeedForwardFactory;
import org.omnispark.trainer.encoder.GlobalCmvn;
import org.omnispark.trainer.encoder.SpecAugment;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.moe.MoeRouting;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.nn.ParameterOwner;
import org.omnispark.trainer.nn.Scalars;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.nn.StagedBackward;

/**
 * The U2++ model (WeNet's {@code ASRModel} with a bidirectional decoder), with dense, Switch or Omni-router
 * feed-forward layers.
 *
 * <pre>
 *   feats [B, T, F] --SpecAugment (training)--> GlobalCmvn --> Conv2dSubsampling --> L encoder layers --> [B, T', d]
 *       encoder FFNs: dense | switch (one gate per FFN block: 2L for a macaron Conformer) | omni (ONE shared gate)
 *   CTC head:        [B, T', d] -> log-probs [B, T', V]                   -> ctc loss
 *   decoder:         memory [B, T', d], sos + labels [B, L] -> logits [B, L, V] (and right-to-left) -> att losses
 *   total = ctc_weight * ctc + (1 - ctc_weight) * ((1 - rw) * att + rw * att_reverse) + MoE aux + MoE z-loss
 * </pre>
 *
 * Chunk choice in training: with {@code use_dynamic_chunk}, drawn per call from a generator seeded by (seed, step),
 * so a resumed run draws the same chunks; else the static chunk or full context. V includes blank (0) and sos/eos
 * (V - 1), as the data pipeline's tokenizers number them.
 */
public final class U2Model implements ParameterOwner {

    private final ModelConfig config;
    private final int vocabSize;
    private final long seed;
    private final SpecAugment specAugment;
    private final BaseEncoder encoder;
    private final MoeRouting encoderRouting; // null for a dense encoder
    private final CtcHead ctcHead;
    private final AttentionDecoder decoder; // null when ctc_weight = 1
    private final List<MoeRouting> decoderRoutings;
    private final HybridLoss hybridLoss;
    private final LabelSmoothingLoss attentionLoss;
    private final TargetPreparation targets;

    private U2Model(Builder b) {
        this.config = b.config;
        this.vocabSize = b.vocabSize;
        this.seed = b.seed;
        NDManager m = b.manager;
        EncoderConf enc = config.encoderConf();
        int d = enc.outputSize();
        this.specAugment = new SpecAugment(config.specAug().numFMask(), config.specAug().maxF(),
                config.specAug().numTMask(), config.specAug().maxT(), seed + 4);
        GlobalCmvn cmvn = b.cmvn == null ? null : GlobalCmvn.fromManifest(m, b.cmvn, b.dataType);
        EncoderSpec encoderSpec = ComponentSpecs.encoder(config, b.dataType, seed);
        boolean conformer = encoderSpec.type() == EncoderType.CONFORMER;
        int ffnBlocks = enc.numBlocks() * (conformer && encoderSpec.macaron() ? 2 : 1);
        this.encoderRouting = FeedForwardAssembly.routing(m, "encoder", enc.ffn(), ffnBlocks, d, b.dataType,
                seed + 3_000_000);
        FeedForwardFactory encoderFfn = FeedForwardAssembly.feedForward(enc.ffn(), encoderRouting, d,
                enc.linearUnits(), FeedForwardAssembly.activation(enc.activationType()), b.dataType, b.parallelism);
        this.encoder = BaseEncoder.create(m, encoderSpec, encoderFfn, cmvn);
        this.ctcHead = CtcHead.builder().setManager(m).setModelDim(d).setVocabSize(vocabSize).optName("ctc")
                .optSeed(seed + 1_000_000).optDataType(b.dataType).build();
        ModelConfig c = config;
        this.hybridLoss = new HybridLoss(c.modelConf().ctcWeight(), c.hasDecoder() ? c.modelConf().reverseWeight() : 0);
        this.targets = TargetPreparation.forVocabulary(vocabSize);
        this.attentionLoss = new LabelSmoothingLoss(vocabSize, c.modelConf().lsmWeight(), TargetPreparation.IGNORE_ID,
                c.modelConf().lengthNormalizedLoss());
        List<MoeRouting> decRoutings = new ArrayList<>();
        this.decoder = c.hasDecoder() ? createDecoder(m, b.dataType, b.parallelism, decRoutings) : null;
        this.decoderRoutings = List.copyOf(decRoutings);
    }

    /** @return a builder; setManager, setConfig and setVocabSize are required */
    public static Builder builder() {
        return new Builder();
    }

    private AttentionDecoder createDecoder(NDManager m, DataType dataType, ExpertParallelism parallelism,
            List<MoeRouting> routings) {
        DecoderConf dec = config.decoderConf();
        int d = config.encoderConf().outputSize();
        DecoderSpec left = ComponentSpecs.decoder(config, vocabSize, dataType);
        long decoderSeed = seed + 2_000_000;
        // One routing plan per direction: switch has one gate per layer, omni one gate per direction (as
        // ParameterCount counts them).
        MoeRouting leftRouting = FeedForwardAssembly.routing(m, "decoder.left_decoder", dec.ffn(), dec.numBlocks(),
                d, dataType, seed + 3_100_000);
        FeedForwardFactory leftFfn = FeedForwardAssembly.feedForward(dec.ffn(), leftRouting, d, dec.linearUnits(),
                FeedForwardAssembly.activation(dec.activationType()), dataType, parallelism);
        if (leftRouting != null) {
            routings.add(leftRouting);
        }
        if (!config.decoder().equals("bitransformer") || dec.rNumBlocks() == 0) {
            return TransformerDecoder.create(m, left, leftFfn, "decoder.left_decoder", decoderSeed);
        }
        MoeRouting rightRouting = FeedForwardAssembly.routing(m, "decoder.right_decoder", dec.ffn(),
                dec.rNumBlocks(), d, dataType, seed + 3_200_000);
        FeedForwardFactory rightFfn = FeedForwardAssembly.feedForward(dec.ffn(), rightRouting, d, dec.linearUnits(),
                FeedForwardAssembly.activation(dec.activationType()), dataType, parallelism);
        if (rightRouting != null) {
            routings.add(rightRouting);
        }
        return new BiTransformerDecoder(
                TransformerDecoder.create(m, left, leftFfn, "decoder.left_decoder", decoderSeed),
                TransformerDecoder.create(m, left.withNumBlocks(dec.rNumBlocks()), rightFfn, "decoder.right_decoder",
                        decoderSeed + 500_000));
    }

    /**
     * The training / validation forward with the losses.
     *
     * @param batch a padded batch (its tensors' manager receives every temporary)
     * @param training enables SpecAugment, dropout, router jitter and dynamic chunks
     * @param step a counter that seeds SpecAugment and the dynamic chunk draw (the trainer passes its micro-batch
     *     counter, so a resumed run draws the same masks)
     * @return total loss, parts and the encoder output
     */
    public Losses forward(Batch batch, boolean training, long step) {
        return forward(batch, training, step, 1.0);
    }

    /**
     * The forward pass of one rank's part of a batch spread over ranks (expert parallelism).
     *
     * @param batch this rank's utterances
     * @param training as {@link #forward(Batch, boolean, long)}
     * @param step as {@link #forward(Batch, boolean, long)}
     * @param batchShare this rank's utterances / the whole batch's: the CTC and attention losses (means over
     *     utterances) are scaled by it, and the MoE losses are shares by construction ({@code BatchStatistics}), so
     *     the totals of all ranks sum to the whole batch's loss; 1 in one process
     * @return total loss (this rank's share), its parts (the CTC and attention parts unscaled) and the encoder output
     */
    public Losses forward(Batch batch, boolean training, long step, double batchShare) {
        NDManager scope = batch.features().getManager();
        NDArray xs = specAugment.forward(batch.features(), batch.featureLengths(), step, training); // [B, T, F]
        EncoderOutput enc = encoder.forward(xs, batch.featureLengths(), chunkChoice(xs, training, step), training);
        // Under expert parallelism every decoder MoE layer's stage reads the encoder output: cut it, so the encoder's
        // last segment runs backward once, after all of them (see StagedBackward).
        NDArray memory = decoderRoutings.isEmpty() ? enc.output() : StagedBackward.cut(enc.output()); // [B, T', d]
        NDArray memoryLengths = scope.create(enc.outputLengths()); // [B] int32
        NDArray ctc = null;
        if (hybridLoss.ctcWeight() > 0) {
            NDArray targetLengths = scope.create(batch.targetLengths()); // [B]
            ctc = ctcHead.loss(memory, memoryLengths, batch.targets(), targetLengths); // scalar: sum / B
        }
        NDArray att = null;
        NDArray attReverse = null;
        NDArray decoderAux = null;
        if (decoder != null) {
            PreparedTargets t = targets.prepare(scope, batch.tokenIds()); // ysIn / ysOut [B, L]
            boolean reverse = decoder.isBidirectional() && hybridLoss.reverseWeight() > 0;
            DecoderOutput out = decoder.forward(memory, memoryLengths, t.ysIn(), t.ysInLengths(),
                    reverse ? t.reverseYsIn() : null, training); // logits [B, L, V]
            att = attentionLoss.forward(out.logits(), t.ysOut());
            attReverse = out.reverseLogits() == null ? null : attentionLoss.forward(out.reverseLogits(),
                    t.reverseYsOut());
            decoderAux = out.auxLoss();
        }
        NDArray total = hybridLoss.combine(ctc, att, attReverse);
        if (batchShare != 1.0) {
            total = Scalars.mul(total, batchShare);
        }
        NDArray moeAux = scope.zeros(new ai.djl.ndarray.types.Shape(), memory.getDataType());
        NDArray moeZ = scope.zeros(new ai.djl.ndarray.types.Shape(), memory.getDataType());
        for (MoeOutput moe : enc.moeOutputs()) {
            moeAux = moeAux.add(moe.auxLoss());
            moeZ = moeZ.add(moe.zLoss());
        }
        if (decoderAux != null) {
            moeAux = moeAux.add(decoderAux);
        }
        if (!enc.moeOutputs().isEmpty() || decoderAux != null) {
            total = total.add(moeAux).add(moeZ);
        }
        return new Losses(total, ctc, att, attReverse, moeAux, moeZ, enc);
    }

    private ChunkMasks.Choice chunkChoice(NDArray xs, boolean training, long step) {
        EncoderSpec ec = encoder.config();
        if (training && ec.dynamicChunk()) {
            int outLength = encoder.outputLength(Math.toIntExact(xs.getShape().get(1)));
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
            return ChunkMasks.dynamicChoice(random, outLength, ec.maxDynamicChunk(), ec.dynamicLeftChunks());
        }
        return ec.staticChunkSize() > 0 ? new ChunkMasks.Choice(ec.staticChunkSize(), -1) : ChunkMasks.Choice.FULL;
    }

    /**
     * Encodes for decoding (no SpecAugment, no dropout).
     *
     * @param features {@code [B, T, F]}
     * @param lengths valid frames
     * @param choice full context ({@link ChunkMasks.Choice#FULL}) or {@code new Choice(decoding_chunk_size,
     *     num_decoding_left_chunks)}
     * @return the encoder output {@code [B, T', d]}
     */
    public EncoderOutput encode(NDArray features, int[] lengths, ChunkMasks.Choice choice) {
        return encoder.forward(features, lengths, choice, false);
    }

    /**
     * The decoding modes over this model's CTC head and decoder.
     *
     * @param beamSize CTC prefix beam size (WeNet default 10)
     * @return the decoder functions
     */
    public U2Decoding decoding(int beamSize) {
        U2Decoding.Builder b = U2Decoding.builder().setCtcHead(ctcHead).optBeamSize(beamSize)
                .optCtcWeight(config.modelConf().ctcWeight()).optReverseWeight(hybridLoss.reverseWeight());
        if (decoder != null) {
            b.optDecoder(decoder);
        }
        return b.build();
    }

    /** Returns every parameter once (a shared Omni-router gate once), in a stable order. */
    @Override
    public List<ModelParameter> parameters() {
        List<ParameterOwner> owners = new ArrayList<>();
        owners.add(encoder);
        owners.add(ctcHead);
        if (decoder != null) {
            owners.add(decoder);
        }
        return ParameterCollector.unique(owners);
    }

    /** @return the router gate parameters, each once (0 for dense, 2L for a Switch Conformer, 1 for Omni) */
    public List<ModelParameter> gateParameters() {
        Set<ModelParameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<ModelParameter> gates = new ArrayList<>();
        List<MoeRouting> all = new ArrayList<>(decoderRoutings);
        if (encoderRouting != null) {
            all.add(0, encoderRouting);
        }
        for (MoeRouting r : all) {
            for (ModelParameter p : r.parameters()) {
                if (seen.add(p)) {
                    gates.add(p);
                }
            }
        }
        return gates;
    }

    /** @return the number of scalar parameters (each shared tensor once) */
    public long numParameters() {
        long n = 0;
        for (ModelParameter p : parameters()) {
            n += p.array().getShape().size();
        }
        return n;
    }

    /** @return the encoder's routing plan, or null for a dense encoder */
    public MoeRouting encoderRouting() {
        return encoderRouting;
    }

    /** @return the encoder */
    public BaseEncoder encoder() {
        return encoder;
    }

    /** @return the CTC head */
    public CtcHead ctcHead() {
        return ctcHead;
    }

    /** @return the attention decoder, or null when ctc_weight = 1 */
    public AttentionDecoder decoder() {
        return decoder;
    }

    /** @return the model config */
    public ModelConfig config() {
        return config;
    }

    /** @return V */
    public int vocabSize() {
        return vocabSize;
    }

    /** Builder of {@link U2Model}. */
    public static final class Builder {
        private NDManager manager;
        private ModelConfig config;
        private int vocabSize;
        private DatasetManifest.Cmvn cmvn;
        private long seed = 777;
        private DataType dataType = DataType.FLOAT32;
        private ExpertParallelism parallelism = ExpertParallelism.NONE;

        /** @param manager the model's long-lived manager (parameters live there) @return this */
        public Builder setManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        /** @param config the model config ({@code conf/model/*.yaml}) @return this */
        public Builder setConfig(ModelConfig config) {
            this.config = config;
            return this;
        }

        /** @param vocabSize V, the tokenizer's vocabulary (blank 0 ... sos/eos V-1) @return this */
        public Builder setVocabSize(int vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /** @param cmvn the training set's CMVN sums (dataset.json), or null for none @return this */
        public Builder optCmvn(DatasetManifest.Cmvn cmvn) {
            this.cmvn = cmvn;
            return this;
        }

        /** @param seed the initialization seed, default 777 @return this */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @param dataType FLOAT32 (default) or FLOAT64 (gradient checks) @return this */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /**
         * @param parallelism this rank's share of an expert-parallel job: its MoE layers hold only its experts and
         *     dispatch through the parallelism's dispatcher (default {@link ExpertParallelism#NONE}: every expert)
         * @return this
         */
        public Builder optParallelism(ExpertParallelism parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** @return the model */
        public U2Model build() {
            if (manager == null || config == null) {
                throw new IllegalStateException("U2Model needs setManager(...) and setConfig(...)");
            }
            if (config.outputDim() > 0 && config.outputDim() != vocabSize) {
                throw new IllegalStateException("output_dim is " + config.outputDim() + " but the vocabulary has "
                        + vocabSize + " units; set output_dim: 0 to take it from the dataset");
            }
            if (vocabSize < 3) {
                throw new IllegalStateException("setVocabSize needs V >= 3 (blank, a unit, sos/eos), got " + vocabSize);
            }
            return new U2Model(this);
        }
    }
}
