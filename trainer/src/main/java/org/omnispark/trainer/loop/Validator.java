package org.omnispark.trainer.loop;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Path;
import org.omnispark.io.Location;
import org.omnispark.io.Storage;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.data.text.Tokenizer;
import org.omnispark.data.text.Tokenizers;
import org.omnispark.trainer.search.Hypothesis;
import org.omnispark.trainer.search.U2Decoding;
import org.omnispark.trainer.metrics.ErrorRateCalculator;
import org.omnispark.trainer.metrics.ErrorRateReport;
import org.omnispark.trainer.metrics.Transcript;
import org.omnispark.trainer.model.Batch;
import org.omnispark.trainer.model.BatchCollator;
import org.omnispark.trainer.model.Losses;
import org.omnispark.trainer.model.U2Model;

/**
 * Validation on a held-out prepared dataset: the total loss (no SpecAugment, no dropout, full context or the static
 * chunk) and CTC greedy CER / WER against the reference transcripts (sclite rules, {@link ErrorRateCalculator}).
 * A held-out set prepared separately has its own character inventory; its token ids are then re-derived from the
 * transcripts with the model's tokenizer, so the loss is computed against the model's units.
 */
public final class Validator {

    private final Location dataset;
    private final Storage storage;
    private final Tokenizer tokenizer;
    private final int maxFramesPerBatch;
    private final int maxBatchSize;

    /**
     * @param dataset the prepared held-out set
     * @param tokenizer turns token ids back into text (the training set's)
     * @param maxFramesPerBatch padded frames per batch
     * @param maxBatchSize utterances per batch
     */
    public Validator(Path dataset, Tokenizer tokenizer, int maxFramesPerBatch, int maxBatchSize) {
        this(Storage.of(new org.apache.hadoop.conf.Configuration()), Location.of(dataset), tokenizer,
                maxFramesPerBatch, maxBatchSize);
    }

    /**
     * @param storage the storage of the held-out set
     * @param dataset the prepared held-out set, on any Hadoop file system
     * @param tokenizer turns token ids back into text (the training set's)
     * @param maxFramesPerBatch padded frames per batch
     * @param maxBatchSize utterances per batch
     */
    public Validator(Storage storage, Location dataset, Tokenizer tokenizer, int maxFramesPerBatch,
            int maxBatchSize) {
        this.storage = storage;
        this.dataset = dataset;
        this.tokenizer = tokenizer;
        this.maxFramesPerBatch = maxFramesPerBatch;
        this.maxBatchSize = maxBatchSize;
    }

    /** True when the held-out set was tokenized with the model's units (else its ids are re-derived from text). */
    private boolean sameUnits() {
        try {
            return Tokenizers.load(storage.localFolder(dataset, List.of(Tokenizer.UNITS_FILE,
                    org.omnispark.data.text.SentencePieceTokenizer.MODEL_FILE))).units().equals(tokenizer.units());
        } catch (IOException e) {
            return false;
        }
    }

    /** The utterances with token ids from the model's tokenizer (a held-out set prepared on its own has others). */
    private List<Utterance> retokenized(List<Utterance> utterances) {
        List<Utterance> list = new ArrayList<>(utterances.size());
        for (Utterance u : utterances) {
            list.add(new Utterance(u.key(), u.features(), u.numFrames(), u.featureDim(), tokenizer.encode(u.text()),
                    u.text(), u.duration()));
        }
        return list;
    }

    /**
     * Runs one pass with grad mode off (restored afterwards).
     *
     * @param model the model
     * @param parent a manager; each batch gets a sub-manager closed after it
     * @param step the training step (recorded in the result)
     * @return loss and error rates
     */
    public ValidationResult validate(U2Model model, NDManager parent, long step) {
        Engine.getEngine("PyTorch");
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        BatchCollator collator = new BatchCollator(model.config().inputDim());
        U2Decoding decoding = model.decoding(1);
        List<Transcript> refs = new ArrayList<>();
        List<Transcript> hyps = new ArrayList<>();
        double lossSum = 0;
        int batches = 0;
        boolean retokenize = !sameUnits();
        try {
            BucketedBatches data = BucketedBatches.builder().setDataset(dataset.toString())
                    .optConfiguration(storage.conf()).optSeed(0).optEpoch(0)
                    .optRank(0, 1).optMaxFramesPerBatch(maxFramesPerBatch).optMaxBatchSize(maxBatchSize).build();
            for (List<Utterance> utterances : data) {
                try (NDManager scope = parent.newSubManager()) {
                    Batch batch = collator.collate(scope, retokenize ? retokenized(utterances) : utterances);
                    Losses losses = model.forward(batch, false, 0);
                    lossSum += org.omnispark.trainer.nn.HostSyncs.scalar(losses.total(),
                            org.omnispark.trainer.nn.HostSyncs.Kind.LOSS);
                    batches++;
                    long[] lengths = new long[batch.size()];
                    for (int b = 0; b < lengths.length; b++) {
                        lengths[b] = losses.encoder().outputLengths()[b];
                    }
                    List<Hypothesis> best = decoding.ctcGreedy(losses.encoder().output(), lengths);
                    for (int b = 0; b < batch.size(); b++) {
                        refs.add(new Transcript(batch.keys().get(b), batch.texts().get(b)));
                        hyps.add(new Transcript(batch.keys().get(b), tokenizer.decode(best.get(b).tokenArray())));
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        if (batches == 0) {
            throw new IllegalStateException("The validation set " + dataset + " has no utterances; pass another "
                    + "--valid folder");
        }
        ErrorRateReport report = ErrorRateCalculator.sclite().score(refs, hyps);
        return new ValidationResult(step, lossSum / batches, report.cer(), report.wer(), report.utterances());
    }
}
