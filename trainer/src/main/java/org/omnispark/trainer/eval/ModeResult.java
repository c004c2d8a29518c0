package org.omnispark.trainer.eval;

import org.omnispark.io.Location;
import org.omnispark.trainer.metrics.ErrorRateReport;

/**
 * The outcome of one decoding mode.
 *
 * @param mode the mode
 * @param errors word and character counts (sclite rules)
 * @param audioSeconds audio decoded
 * @param decodeSeconds wall seconds spent decoding (encoder included, batching and scoring excluded)
 * @param hypothesisFile the hyp.trn written
 * @param referenceFile the ref.trn written
 * @param decodingChunkSize the chunk this mode decoded with, in output frames (0 = full context)
 * @param numDecodingLeftChunks left chunks of context (negative = all)
 */
public record ModeResult(DecodeMode mode, ErrorRateReport errors, double audioSeconds, double decodeSeconds,
        Location hypothesisFile, Location referenceFile, int decodingChunkSize, int numDecodingLeftChunks) {

    /** @return the context this mode decoded with, e.g. "full context" or "chunk 16, all left chunks" */
    public String context() {
        if (decodingChunkSize <= 0) {
            return "full context";
        }
        return "chunk " + decodingChunkSize + ", " + (numDecodingLeftChunks < 0 ? "all" : numDecodingLeftChunks)
                + " left chunks";
    }

    /** @return decode seconds per audio second */
    public double realTimeFactor() {
        return audioSeconds > 0 ? decodeSeconds / audioSeconds : Double.NaN;
    }
}
