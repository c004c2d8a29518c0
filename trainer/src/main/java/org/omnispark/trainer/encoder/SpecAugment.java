package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * SpecAugment masking (Park et al. 2019; WeNet {@code spec_aug}): per utterance, {@code numFrequencyMasks} bands of
 * width uniform in [0, maxFrequencyWidth] and {@code numTimeMasks} spans of width uniform in [0, maxTimeWidth] are set
 * to 0.
 *
 * <p>The masks of utterance b depend only on (seed, step, b, its valid length, F), never on the padded length T of
 * the batch: time masks are drawn inside the valid frames, so the same utterance gets the same masks whatever it is
 * batched with. Apply it in training only, to the fbank features before the encoder (whose global CMVN then runs on
 * the masked features, as in WeNet).
 */
public final class SpecAugment {

    private final int numFrequencyMasks;
    private final int maxFrequencyWidth;
    private final int numTimeMasks;
    private final int maxTimeWidth;
    private final long seed;

    /**
     * Creates the augmentation (WeNet defaults: 2 masks of width &lt;= 10 on frequency, 2 of width &lt;= 50 on time).
     *
     * @param numFrequencyMasks frequency masks per utterance, &gt;= 0
     * @param maxFrequencyWidth largest frequency-mask width, &gt;= 0
     * @param numTimeMasks time masks per utterance, &gt;= 0
     * @param maxTimeWidth largest time-mask width, &gt;= 0
     * @param seed base seed
     */
    public SpecAugment(int numFrequencyMasks, int maxFrequencyWidth, int numTimeMasks, int maxTimeWidth, long seed) {
        if (numFrequencyMasks < 0 || maxFrequencyWidth < 0 || numTimeMasks < 0 || maxTimeWidth < 0) {
            throw new IllegalArgumentException("SpecAugment counts and widths must be >= 0, got " + numFrequencyMasks
                    + ", " + maxFrequencyWidth + ", " + numTimeMasks + ", " + maxTimeWidth);
        }
        this.numFrequencyMasks = numFrequencyMasks;
        this.maxFrequencyWidth = maxFrequencyWidth;
        this.numTimeMasks = numTimeMasks;
        this.maxTimeWidth = maxTimeWidth;
        this.seed = seed;
    }

    /**
     * Masks a batch.
     *
     * @param x features {@code [B, T, F]}
     * @param lengths valid frames per utterance, each &lt;= T
     * @param step the training step (or any counter): a new step draws new masks, the same step the same masks
     * @param training false returns x unchanged
     * @return {@code [B, T, F]}, in x's manager
     */
    public NDArray forward(NDArray x, int[] lengths, long step, boolean training) {
        if (!training) {
            return x;
        }
        Shape shape = x.getShape();
        int batch = Math.toIntExact(shape.get(0));
        int time = Math.toIntExact(shape.get(1));
        int features = Math.toIntExact(shape.get(2));
        if (lengths.length != batch) {
            throw new IllegalArgumentException("Got " + lengths.length + " lengths for a batch of " + batch);
        }
        float[] timeKeep = new float[batch * time];
        float[] frequencyKeep = new float[batch * features];
        java.util.Arrays.fill(timeKeep, 1f);
        java.util.Arrays.fill(frequencyKeep, 1f);
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > time) {
                throw new IllegalArgumentException("Length " + lengths[b] + " of utterance " + b
                        + " is outside [0, " + time + "]");
            }
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + step * 7919L + b);
            for (int i = 0; i < numFrequencyMasks; i++) {
                maskSpan(random, frequencyKeep, b * features, features, maxFrequencyWidth);
            }
            for (int i = 0; i < numTimeMasks; i++) {
                maskSpan(random, timeKeep, b * time, lengths[b], maxTimeWidth);
            }
        }
        NDManager scope = x.getManager();
        NDArray t = scope.create(timeKeep, new Shape(batch, time, 1)).toType(x.getDataType(), false);
        NDArray f = scope.create(frequencyKeep, new Shape(batch, 1, features)).toType(x.getDataType(), false);
        return x.mul(t).mul(f);
    }

    /** Zeroes {@code keep[base + start, base + start + width)} with width in [0, maxWidth], inside [0, size). */
    private static void maskSpan(SplittableRandom random, float[] keep, int base, int size, int maxWidth) {
        int width = Math.min(random.nextInt(maxWidth + 1), size);
        if (width <= 0) {
            return;
        }
        int start = random.nextInt(size - width + 1);
        for (int i = start; i < start + width; i++) {
            keep[base + i] = 0f;
        }
    }
}
