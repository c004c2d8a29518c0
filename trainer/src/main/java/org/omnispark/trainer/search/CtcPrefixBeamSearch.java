package org.omnispark.trainer.search;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CTC prefix beam search (WeNet's {@code ctc_prefix_beam_search}): keeps the {@code beamSize} most likely label
 * prefixes, each with the log-probability of all paths ending in blank ({@code pb}) and ending in a label ({@code
 * pnb}); a prefix's score is {@code logaddexp(pb, pnb)}, the total probability of every path that collapses to it.
 *
 * <pre>
 *   for each frame t, for each of the beamSize most likely labels s at t (first pruning), for each prefix (pb, pnb):
 *     s = blank:          pb(prefix)        += (pb + pnb) p_t(s)
 *     s = last(prefix):   pnb(prefix)       += pnb p_t(s)        (repeat collapses)
 *                         pnb(prefix + s)   += pb p_t(s)         (a blank separated them)
 *     otherwise:          pnb(prefix + s)   += (pb + pnb) p_t(s)
 *   keep the beamSize prefixes with the largest pb + pnb (second pruning)
 * </pre>
 *
 * With {@code beamSize >= V} and no pruning losses the scores are the exact prefix probabilities.
 */
public final class CtcPrefixBeamSearch {

    private final int beamSize;
    private final int blank;

    /**
     * @param beamSize prefixes kept per frame (WeNet's default 10)
     * @param blank the blank id (WeNet: 0)
     */
    public CtcPrefixBeamSearch(int beamSize, int blank) {
        if (beamSize <= 0 || blank < 0) {
            throw new IllegalArgumentException("beamSize must be > 0 and blank >= 0, got " + beamSize + ", " + blank);
        }
        this.beamSize = beamSize;
        this.blank = blank;
    }

    /**
     * Searches a batch.
     *
     * @param logProbs {@code [B, T, V]} log-softmaxed
     * @param lengths valid frames per utterance
     * @return per utterance, up to beamSize hypotheses, best first (score = ctcScore = prefix log-probability)
     */
    public List<List<Hypothesis>> search(NDArray logProbs, long[] lengths) {
        double[][][] host = LogProbs.toHost(logProbs, lengths);
        List<List<Hypothesis>> result = new ArrayList<>(host.length);
        for (double[][] utterance : host) {
            result.add(search(utterance));
        }
        return result;
    }

    /**
     * Searches one utterance.
     *
     * @param logProbs {@code [T][V]}
     * @return up to beamSize hypotheses, best first
     */
    public List<Hypothesis> search(double[][] logProbs) {
        Map<List<Integer>, double[]> beam = new HashMap<>(); // prefix -> {pb, pnb}
        beam.put(List.of(), new double[] {0.0, Double.NEGATIVE_INFINITY});
        for (double[] frame : logProbs) {
            Map<List<Integer>, double[]> next = new HashMap<>();
            for (int s : topLabels(frame)) {
                double p = frame[s];
                for (Map.Entry<List<Integer>, double[]> entry : beam.entrySet()) {
                    List<Integer> prefix = entry.getKey();
                    double pb = entry.getValue()[0];
                    double pnb = entry.getValue()[1];
                    if (s == blank) {
                        double[] same = next.computeIfAbsent(prefix, k -> empty());
                        same[0] = LogProbs.logAdd(same[0], LogProbs.logAdd(pb, pnb) + p);
                    } else if (!prefix.isEmpty() && prefix.get(prefix.size() - 1) == s) {
                        double[] same = next.computeIfAbsent(prefix, k -> empty());
                        same[1] = LogProbs.logAdd(same[1], pnb + p);
                        double[] longer = next.computeIfAbsent(extend(prefix, s), k -> empty());
                        longer[1] = LogProbs.logAdd(longer[1], pb + p);
                    } else {
                        double[] longer = next.computeIfAbsent(extend(prefix, s), k -> empty());
                        longer[1] = LogProbs.logAdd(longer[1], LogProbs.logAdd(pb, pnb) + p);
                    }
                }
            }
            beam = prune(next, beamSize);
        }
        List<Hypothesis> result = new ArrayList<>(beam.size());
        for (Map.Entry<List<Integer>, double[]> entry : beam.entrySet()) {
            double score = LogProbs.logAdd(entry.getValue()[0], entry.getValue()[1]);
            result.add(new Hypothesis(entry.getKey(), score, score));
        }
        result.sort(BEST_FIRST);
        return result;
    }

    /** Best score first; ties broken by shorter, then lexicographically smaller token lists (deterministic). */
    private static final Comparator<Hypothesis> BEST_FIRST = Comparator.comparingDouble(Hypothesis::score)
            .reversed()
            .thenComparingInt(h -> h.tokens().size())
            .thenComparing(h -> h.tokens().toString());

    private int[] topLabels(double[] frame) {
        int k = Math.min(beamSize, frame.length);
        Integer[] order = new Integer[frame.length];
        for (int v = 0; v < frame.length; v++) {
            order[v] = v;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(frame[b], frame[a]));
        int[] top = new int[k];
        for (int i = 0; i < k; i++) {
            top[i] = order[i];
        }
        return top;
    }

    private static Map<List<Integer>, double[]> prune(Map<List<Integer>, double[]> candidates, int keep) {
        List<Map.Entry<List<Integer>, double[]>> entries = new ArrayList<>();
        for (Map.Entry<List<Integer>, double[]> e : candidates.entrySet()) {
            // a prefix reached only through impossible paths (e.g. "a a" from a prefix with pb = -inf) is dropped
            if (LogProbs.logAdd(e.getValue()[0], e.getValue()[1]) > Double.NEGATIVE_INFINITY) {
                entries.add(e);
            }
        }
        entries.sort(Comparator.comparingDouble(
                (Map.Entry<List<Integer>, double[]> e) -> LogProbs.logAdd(e.getValue()[0], e.getValue()[1]))
                .reversed()
                .thenComparingInt(e -> e.getKey().size())
                .thenComparing(e -> e.getKey().toString()));
        Map<List<Integer>, double[]> kept = new HashMap<>();
        for (int i = 0; i < Math.min(keep, entries.size()); i++) {
            kept.put(entries.get(i).getKey(), entries.get(i).getValue());
        }
        return kept;
    }

    private static List<Integer> extend(List<Integer> prefix, int label) {
        List<Integer> longer = new ArrayList<>(prefix.size() + 1);
        longer.addAll(prefix);
        longer.add(label);
        return List.copyOf(longer);
    }

    private static double[] empty() {
        return new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    }

    /** @return the beam size */
    public int beamSize() {
        return beamSize;
    }
}
