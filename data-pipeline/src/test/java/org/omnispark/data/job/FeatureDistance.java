package org.omnispark.data.job;

import java.nio.file.Path;
import org.omnispark.data.reader.Utterance;

/**
 * How far the features of a lossy-coded utterance are from its WAV's, for the prepare tests of the lossy codecs
 * (MP3, Opus), and the manifest line those tests write.
 */
final class FeatureDistance {

    private FeatureDistance() {}

    /**
     * Mean |wav - coded| over the lowest {@code bins} bins of the frames both have (coded frame i + lag against wav
     * frame i), both floored at {@code floorDb} below the WAV's largest (log-mel) feature.
     */
    static double meanAbsDiff(Utterance wav, Utterance coded, int lag, int bins, double floorDb) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : wav.features()) {
            max = Math.max(max, v);
        }
        double floor = max - floorDb / 10 * Math.log(10);
        double sum = 0;
        int n = 0;
        int dim = wav.featureDim();
        for (int f = 0; f < wav.numFrames(); f++) {
            int g = f + lag;
            if (g < 0 || g >= coded.numFrames()) {
                continue;
            }
            for (int b = 0; b < bins; b++) {
                sum += Math.abs(Math.max(floor, wav.features()[f * dim + b])
                        - Math.max(floor, coded.features()[g * dim + b]));
                n++;
            }
        }
        return sum / n;
    }

    /** @return a JSON-lines manifest row (WeNet's field names) */
    static String line(String key, Path audio, String text) {
        return "{\"key\": \"" + key + "\", \"wav\": \"" + audio + "\", \"txt\": \"" + text + "\"}";
    }
}
