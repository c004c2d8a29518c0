package org.omnispark.data.reader;

/**
 * One row of a shard, as the trainer sees it.
 *
 * @param key utterance id ({@code sp0.9-KEY} for speed-perturbed copies)
 * @param features log-mel features, row-major [numFrames * featureDim]
 * @param numFrames frames
 * @param featureDim values per frame
 * @param tokenIds token ids (see the dataset's units.txt)
 * @param text normalized transcript
 * @param duration seconds
 */
public record Utterance(String key, float[] features, int numFrames, int featureDim, int[] tokenIds, String text,
                        double duration) {
    public Utterance {
        if (features.length != numFrames * featureDim) {
            throw new IllegalArgumentException("utterance " + key + ": " + features.length + " feature values for "
                    + numFrames + " frames x " + featureDim);
        }
    }
}
