package org.omnispark.trainer.loop;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.data.text.Tokenizer;
import org.omnispark.trainer.decode.Hypothesis;
import org.omnispark.trainer.decode.U2Decoding;
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
 */
public final class Validator {

    private final Path dataset;
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
        this.dataset = dataset;
        this.tokenizer = tokenizer;
        this.maxFramesPerBatch = maxFramesPerBatch;
        this.maxBatchSize = maxBatchSize;
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
        try {
            BucketedBatches data = BucketedBatches.builder().setDataset(dataset).optSeed(0).optEpoch(0)
                    .optRank(0, 1).optMaxFramesPerBatch(maxFramesPerBatch).optMaxBatchSize(maxBatchSize).build();
            for (List<Utterance> utterances : data) {
                try (NDManager scope = parent.newSubManager()) {
                    Batch batch = collator.collate(scope, utterances);
                    Losses losses = model.forward(batch, false, 0);
                    lossSum += losses.total().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
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
