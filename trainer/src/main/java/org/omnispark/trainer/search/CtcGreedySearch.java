package org.omnispark.trainer.search;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * CTC greedy (best path) search: the most likely label per frame, repeats collapsed, blanks dropped.
 *
 * <pre>
 *   path[t] = argmax_v logProbs[t, v]           score = sum_t logProbs[t, path[t]]
 *   tokens  = drop blanks (collapse repeats (path))
 * </pre>
 */
public final class CtcGreedySearch {

    private final int blank;

    /** @param blank the blank id (WeNet: 0) */
    public CtcGreedySearch(int blank) {
        if (blank < 0) {
            throw new IllegalArgumentException("blank must be >= 0, got " + blank);
        }
        this.blank = blank;
    }

    /**
     * Decodes a batch.
     *
     * @param logProbs {@code [B, T, V]} log-softmaxed
     * @param lengths valid frames per utterance
     * @return one hypothesis per utterance; score = log-probability of the best path
     */
    public List<Hypothesis> search(NDArray logProbs, long[] lengths) {
        double[][][] host = LogProbs.toHost(logProbs, lengths);
        List<Hypothesis> result = new ArrayList<>(host.length);
        for (double[][] utterance : host) {
            result.add(search(utterance));
        }
        return result;
    }

    /**
     * Decodes one utterance.
     *
     * @param logProbs {@code [T][V]}
     * @return the hypothesis
     */
    public Hypothesis search(double[][] logProbs) {
        int[] path = new int[logProbs.length];
        double score = 0;
        for (int t = 0; t < logProbs.length; t++) {
            int best = 0;
            for (int v = 1; v < logProbs[t].length; v++) {
                if (logProbs[t][v] > logProbs[t][best]) {
                    best = v;
                }
            }
            path[t] = best;
            score += logProbs[t][best];
        }
        return new Hypothesis(collapse(path, blank), score, score);
    }

    /**
     * The CTC collapse: merges runs of the same label, then removes blanks ("a a _ a" -&gt; "a a").
     *
     * @param path one label per frame
     * @param blank the blank id
     * @return the label sequence
     */
    public static List<Integer> collapse(int[] path, int blank) {
        List<Integer> tokens = new ArrayList<>();
        int previous = -1;
        for (int label : path) {
            if (label != previous && label != blank) {
                tokens.add(label);
            }
            previous = label;
        }
        return tokens;
    }
}
