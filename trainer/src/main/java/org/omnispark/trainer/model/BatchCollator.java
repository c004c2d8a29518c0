package org.omnispark.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.data.reader.Utterance;

/**
 * Pads a list of {@link Utterance}s into a {@link Batch}: features to the longest utterance with zeros, token ids to
 * the longest label sequence with -1 (WeNet's ignore id).
 */
public final class BatchCollator {

    /** The padding id of targets (WeNet's ignore_id). */
    public static final int IGNORE_ID = -1;

    private final int featureDim;

    /** @param featureDim F, the values per frame every utterance must have */
    public BatchCollator(int featureDim) {
        if (featureDim <= 0) {
            throw new IllegalArgumentException("featureDim must be > 0, got " + featureDim);
        }
        this.featureDim = featureDim;
    }

    /**
     * Builds the padded tensors in {@code scope}.
     *
     * @param scope the step's manager (closed by the caller after the step)
     * @param utterances at least one, each with F = featureDim and at least one frame
     * @return the batch
     */
    public Batch collate(NDManager scope, List<Utterance> utterances) {
        int batch = utterances.size();
        if (batch == 0) {
            throw new IllegalArgumentException("Cannot collate an empty list of utterances");
        }
        int maxFrames = 0;
        int maxTokens = 1;
        for (Utterance u : utterances) {
            if (u.featureDim() != featureDim) {
                throw new IllegalArgumentException("Utterance " + u.key() + " has " + u.featureDim()
                        + " feature bins but the model expects " + featureDim + "; set the model's input_dim to the "
                        + "dataset's feature_dim");
            }
            if (u.numFrames() < 1) {
                throw new IllegalArgumentException("Utterance " + u.key() + " has no frames");
            }
            maxFrames = Math.max(maxFrames, u.numFrames());
            maxTokens = Math.max(maxTokens, u.tokenIds().length);
        }
        float[] features = new float[batch * maxFrames * featureDim]; // [B, T, F], zero padded
        int[] targets = new int[batch * maxTokens]; // [B, S], -1 padded
        java.util.Arrays.fill(targets, IGNORE_ID);
        int[] lengths = new int[batch];
        int[] targetLengths = new int[batch];
        double[] durations = new double[batch];
        List<String> keys = new ArrayList<>(batch);
        List<String> texts = new ArrayList<>(batch);
        List<int[]> tokenIds = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            Utterance u = utterances.get(b);
            System.arraycopy(u.features(), 0, features, b * maxFrames * featureDim, u.numFrames() * featureDim);
            System.arraycopy(u.tokenIds(), 0, targets, b * maxTokens, u.tokenIds().length);
            lengths[b] = u.numFrames();
            targetLengths[b] = u.tokenIds().length;
            durations[b] = u.duration();
            keys.add(u.key());
            texts.add(u.text());
            tokenIds.add(u.tokenIds().clone());
        }
        NDArray feats = scope.create(features, new Shape(batch, maxFrames, featureDim));
        NDArray ys = scope.create(targets, new Shape(batch, maxTokens));
        return new Batch(keys, feats, lengths, ys, targetLengths, tokenIds, texts, durations);
    }

    /** @return F */
    public int featureDim() {
        return featureDim;
    }
}
