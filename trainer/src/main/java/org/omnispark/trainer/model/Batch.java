package org.omnispark.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * One padded batch, made by {@link BatchCollator}. The tensors belong to the step's manager.
 *
 * <pre>
 *   features      [B, T, F] float32, zero past each length
 *   targets       [B, S]    int32, -1 past each target length (S = longest label sequence, at least 1)
 * </pre>
 *
 * @param keys utterance ids, B of them
 * @param features padded features {@code [B, T, F]}
 * @param featureLengths valid frames per utterance, each in [1, T]
 * @param targets padded token ids {@code [B, S]}
 * @param targetLengths labels per utterance
 * @param tokenIds the label sequences on the host (for the decoder's target preparation)
 * @param texts reference transcripts
 * @param durations audio seconds per utterance
 */
public record Batch(List<String> keys, NDArray features, int[] featureLengths, NDArray targets, int[] targetLengths,
        List<int[]> tokenIds, List<String> texts, double[] durations) {

    /** Validates that every per-utterance field has B entries. */
    public Batch {
        int batch = keys.size();
        if (batch == 0) {
            throw new IllegalArgumentException("A batch needs at least one utterance");
        }
        if (features.getShape().dimension() != 3 || features.getShape().get(0) != batch
                || featureLengths.length != batch || targetLengths.length != batch || tokenIds.size() != batch
                || texts.size() != batch || durations.length != batch
                || targets.getShape().dimension() != 2 || targets.getShape().get(0) != batch) {
            throw new IllegalArgumentException("Every field of a batch needs B = " + batch + " entries; features "
                    + features.getShape() + ", targets " + targets.getShape() + "; build batches with BatchCollator");
        }
        keys = List.copyOf(keys);
        tokenIds = List.copyOf(tokenIds);
        texts = List.copyOf(texts);
    }

    /** @return B */
    public int size() {
        return keys.size();
    }

    /** @return the summed audio seconds */
    public double audioSeconds() {
        double sum = 0;
        for (double d : durations) {
            sum += d;
        }
        return sum;
    }

    /** @return the summed valid feature frames */
    public long frames() {
        long sum = 0;
        for (int n : featureLengths) {
            sum += n;
        }
        return sum;
    }
}
