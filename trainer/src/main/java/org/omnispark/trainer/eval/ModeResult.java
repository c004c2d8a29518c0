package org.omnispark.trainer.eval;

import java.nio.file.Path;
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
 */
public record ModeResult(DecodeMode mode, ErrorRateReport errors, double audioSeconds, double decodeSeconds,
        Path hypothesisFile, Path referenceFile) {

    /** @return decode seconds per audio second */
    public double realTimeFactor() {
        return audioSeconds > 0 ? decodeSeconds / audioSeconds : Double.NaN;
    }
}
