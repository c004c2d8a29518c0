package org.omnispark.trainer.search;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.omnispark.trainer.nn.HostSyncs;

/** Host copies of per-utterance log-probability matrices {@code [T_b][V]} from a batch {@code [B, T, V]}. */
final class LogProbs {

    private LogProbs() {}

    /**
     * Copies the valid frames of each utterance.
     *
     * @param logProbs {@code [B, T, V]}
     * @param lengths valid frames per utterance, each in [0, T]
     * @return {@code [B][T_b][V]}
     */
    static double[][][] toHost(NDArray logProbs, long[] lengths) {
        Shape shape = logProbs.getShape();
        if (shape.dimension() != 3) {
            throw new IllegalArgumentException("logProbs must be [B, T, V], got " + shape
                    + "; CtcHead.logProbs gives that layout");
        }
        int batch = Math.toIntExact(shape.get(0));
        int time = Math.toIntExact(shape.get(1));
        int vocab = Math.toIntExact(shape.get(2));
        if (lengths.length != batch) {
            throw new IllegalArgumentException("Got " + lengths.length + " lengths for a batch of " + batch);
        }
        double[] flat = HostSyncs.doubles(logProbs, HostSyncs.Kind.DECODING);
        double[][][] result = new double[batch][][];
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > time) {
                throw new IllegalArgumentException("Length " + lengths[b] + " of utterance " + b + " is outside [0, "
                        + time + "]");
            }
            result[b] = new double[(int) lengths[b]][vocab];
            for (int t = 0; t < lengths[b]; t++) {
                System.arraycopy(flat, (b * time + t) * vocab, result[b][t], 0, vocab);
            }
        }
        return result;
    }

    /** log(exp(a) + exp(b)) without overflow; -inf is the identity. */
    static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        double max = Math.max(a, b);
        return max + Math.log1p(Math.exp(-Math.abs(a - b)));
    }
}
