package org.omnispark.data.job;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.omnispark.data.reader.DatasetManifest;

/** Writes global CMVN statistics as WeNet's global_cmvn JSON: {"mean_stat": [...], "var_stat": [...], "frame_num": N}. */
final class WenetCmvn {
    private WenetCmvn() {
    }

    static String toJson(DatasetManifest.Cmvn cmvn) {
        return "{\"mean_stat\": " + list(cmvn.sum()) + ", \"var_stat\": " + list(cmvn.sumSquares())
                + ", \"frame_num\": " + cmvn.frameCount() + "}\n";
    }

    private static String list(double[] v) {
        return Arrays.stream(v).mapToObj(Double::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
