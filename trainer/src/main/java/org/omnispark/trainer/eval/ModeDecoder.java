package org.omnispark.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.data.text.Tokenizer;
import org.omnispark.io.Location;
import org.omnispark.trainer.analysis.RoutingStatistics;
import org.omnispark.trainer.search.Hypothesis;
import org.omnispark.trainer.search.U2Decoding;
import org.omnispark.trainer.encoder.ChunkMasks;
import org.omnispark.trainer.encoder.EncoderOutput;
import org.omnispark.trainer.metrics.ErrorRateCalculator;
import org.omnispark.trainer.metrics.ErrorRateReport;
import org.omnispark.trainer.metrics.Transcript;
import org.omnispark.trainer.metrics.TrnFile;
import org.omnispark.trainer.metrics.UtteranceCountsFile;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.U2Model;
import org.omnispark.trainer.moe.MoeOutput;
import org.omnispark.trainer.moe.RoutingResult;

/**
 * Decodes a prepared dataset in one {@link DecodeMode} and scores it: batched modes encode whole batches with full
 * context, or with {@code new Choice(decodingChunkSize, numDecodingLeftChunks)} masks when a chunk size is set;
 * streaming encodes each utterance chunk by chunk with caches (a causal Conformer or a Transformer), then CTC greedy.
 * The decode time covers the encoder and the search, not reading shards or scoring.
 */
final class ModeDecoder {

    /** The chunk streaming decodes with when none is set (WeNet's usual 16 output frames). */
    static final int DEFAULT_STREAMING_CHUNK = 16;

    private final Location data;
    private final org.apache.hadoop.conf.Configuration conf;
    private final int beamSize;
    private final int decodingChunkSize;
    private final int numDecodingLeftChunks;
    private final int maxFramesPerBatch;
    private final int maxBatchSize;

    ModeDecoder(Location data, org.apache.hadoop.conf.Configuration conf, int beamSize, int decodingChunkSize,
            int numDecodingLeftChunks, int maxFramesPerBatch, int maxBatchSize) {
        this.data = data;
        this.conf = conf;
        this.beamSize = beamSize;
        this.decodingChunkSize = decodingChunkSize;
        this.numDecodingLeftChunks = numDecodingLeftChunks;
        this.maxFramesPerBatch = maxFramesPerBatch;
        this.maxBatchSize = maxBatchSize;
    }

    /**
     * Decodes the dataset in one mode and scores it; writes the mode's trn files into {@code out}.
     *
     * @param routing collects the encoder's routing (a batched mode of an MoE model), or null
     * @param target where {@code out}'s files end up (for the result's file locations)
     * @return the mode's result
     */
    ModeResult decode(U2Model model, NDManager root, Tokenizer tokenizer, DecodeMode mode,
            RoutingStatistics routing, Path out, Location target) {
        if (mode == DecodeMode.ATTENTION_RESCORING && model.decoder() == null) {
            throw new IllegalArgumentException("attention_rescoring needs an attention decoder, but this model is "
                    + "CTC-only (ctc_weight 1); use ctc_greedy or ctc_prefix_beam_search");
        }
        int chunk = chunkFor(mode);
        BatchCollator collator = new BatchCollator(model.config().inputDim());
        U2Decoding decoding = model.decoding(beamSize);
        List<Transcript> refs = new ArrayList<>();
        List<Transcript> hyps = new ArrayList<>();
        double audio = 0;
        long nanos = 0;
        BucketedBatches batches = BucketedBatches.builder().setDataset(data.toString())
                .optConfiguration(conf).optSeed(0).optEpoch(0).optRank(0, 1)
                .optMaxFramesPerBatch(maxFramesPerBatch)
                .optMaxBatchSize(mode == DecodeMode.STREAMING ? 1 : maxBatchSize).build();
        for (List<Utterance> utterances : batches) {
            try (NDManager scope = root.newSubManager()) {
                Batch batch = collator.collate(scope, utterances);
                long begin = System.nanoTime();
                List<Hypothesis> best = mode == DecodeMode.STREAMING ? streaming(model, decoding, batch, chunk)
                        : batched(model, decoding, batch, mode, routing, chunk);
                nanos += System.nanoTime() - begin;
                audio += batch.audioSeconds();
                for (int b = 0; b < batch.size(); b++) {
                    refs.add(new Transcript(batch.keys().get(b), batch.texts().get(b)));
                    hyps.add(new Transcript(batch.keys().get(b), tokenizer.decode(best.get(b).tokenArray())));
                }
            }
        }
        ErrorRateReport errors = ErrorRateCalculator.sclite().score(refs, hyps);
        Path folder = out.resolve(mode.id());
        try {
            Files.createDirectories(folder);
            TrnFile.write(folder.resolve("hyp.trn"), hyps);
            TrnFile.write(folder.resolve("ref.trn"), refs);
            UtteranceCountsFile.write(folder.resolve(UtteranceCountsFile.NAME), errors);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write trn files into " + folder + ": " + e.getMessage(), e);
        }
        return new ModeResult(mode, errors, audio, nanos / 1e9, Evaluator.place(out, target, folder.resolve("hyp.trn")),
                Evaluator.place(out, target, folder.resolve("ref.trn")),
                chunk, chunk > 0 ? numDecodingLeftChunks : -1);
    }

    /**
     * The chunk a mode decodes with: the configured one, except that streaming without one uses {@link
     * #DEFAULT_STREAMING_CHUNK} (and never lends it to the other modes, which then decode with full context).
     */
    private int chunkFor(DecodeMode mode) {
        return mode == DecodeMode.STREAMING && decodingChunkSize <= 0 ? DEFAULT_STREAMING_CHUNK : decodingChunkSize;
    }

    private List<Hypothesis> batched(U2Model model, U2Decoding decoding, Batch batch, DecodeMode mode,
            RoutingStatistics routing, int chunk) {
        ChunkMasks.Choice choice = chunk > 0 ? new ChunkMasks.Choice(chunk, numDecodingLeftChunks)
                : ChunkMasks.Choice.FULL;
        EncoderOutput enc = model.encode(batch.features(), batch.featureLengths(), choice); // [B, T', d]
        if (routing != null) {
            List<RoutingResult> perLayer = new ArrayList<>();
            for (MoeOutput moe : enc.moeOutputs()) {
                perLayer.add(moe.routing());
            }
            routing.add(perLayer);
        }
        long[] lengths = new long[batch.size()];
        for (int b = 0; b < lengths.length; b++) {
            lengths[b] = enc.outputLengths()[b];
        }
        return switch (mode) {
            case CTC_GREEDY -> decoding.ctcGreedy(enc.output(), lengths);
            case CTC_PREFIX_BEAM_SEARCH -> decoding.ctcPrefixBeamSearch(enc.output(), lengths).stream()
                    .map(nbest -> nbest.isEmpty() ? new Hypothesis(List.of(), 0, 0) : nbest.get(0)).toList();
            case ATTENTION_RESCORING -> decoding.attentionRescoring(enc.output(), lengths);
            default -> throw new IllegalStateException("not a batched mode: " + mode);
        };
    }

    /** One utterance (B = 1, no padding) through the streaming encoder, then CTC greedy. */
    private List<Hypothesis> streaming(U2Model model, U2Decoding decoding, Batch batch, int chunk) {
        NDArray encoded; // [1, T', d]
        try {
            encoded = model.encoder().forwardChunkByChunk(batch.features(), chunk, numDecodingLeftChunks);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("streaming decoding is not possible with this encoder: "
                    + e.getMessage(), e);
        }
        return decoding.ctcGreedy(encoded, new long[] {encoded.getShape().get(1)});
    }
}
