package org.omnispark.trainer.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CTC greedy and prefix beam search on hand-made log-probability matrices (blank = 0). */
class CtcSearchTest {

    @Test
    void collapseMergesRepeatsThenDropsBlanks() {
        assertEquals(List.of(1, 1, 2), CtcGreedySearch.collapse(new int[] {1, 1, 0, 1, 2, 2, 0}, 0));
        assertEquals(List.of(), CtcGreedySearch.collapse(new int[] {0, 0}, 0));
        assertEquals(List.of(3), CtcGreedySearch.collapse(new int[] {3, 3, 3}, 0));
    }

    /** argmax path [1, 1, 0, 2, 2] -> tokens [1, 2]; score = ln 0.7 + ln 0.5 + ln 0.6 + ln 0.8 + ln 0.9. */
    @Test
    void greedyOnHandMadeBatchWithLengths() {
        double[][] u1 = {{0.2, 0.7, 0.1}, {0.3, 0.5, 0.2}, {0.6, 0.3, 0.1}, {0.1, 0.1, 0.8}, {0.05, 0.05, 0.9}};
        double[][] u2 = {{0.1, 0.1, 0.8}, {0.9, 0.05, 0.05}, {0.2, 0.2, 0.6}, {0.4, 0.3, 0.3}, {0.4, 0.3, 0.3}};
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logProbs = batch(m, u1, u2); // [2, 5, 3]
            List<Hypothesis> hyps = new CtcGreedySearch(0).search(logProbs, new long[] {5, 3});
            assertEquals(List.of(1, 2), hyps.get(0).tokens());
            double expected = Math.log(0.7) + Math.log(0.5) + Math.log(0.6) + Math.log(0.8) + Math.log(0.9);
            assertEquals(expected, hyps.get(0).score(), 1e-6, "best-path log-probability");
            // the second utterance has 3 valid frames: path [2, 0, 2] -> [2, 2] (blank separates the repeat)
            assertEquals(List.of(2, 2), hyps.get(1).tokens());
        }
    }

    /**
     * Two frames, V = 2, p_t = (blank 0.6, a 0.4) at both frames. Greedy takes the best path (blank, blank) -> "" with
     * P = 0.36. The prefix "a" collects (a,_), (_,a), (a,a): P = 0.24 + 0.24 + 0.16 = 0.64 > 0.36, so beam search
     * returns "a" first.
     */
    @Test
    void beamSearchBeatsGreedy() {
        double[][] u = {{0.6, 0.4}, {0.6, 0.4}};
        Hypothesis greedy = new CtcGreedySearch(0).search(log(u));
        assertEquals(List.of(), greedy.tokens());
        assertEquals(Math.log(0.36), greedy.score(), 1e-12);
        List<Hypothesis> beam = new CtcPrefixBeamSearch(4, 0).search(log(u));
        assertEquals(List.of(1), beam.get(0).tokens(), "beam search's best");
        assertEquals(Math.log(0.64), beam.get(0).score(), 1e-12, "P(a) = 0.24 + 0.24 + 0.16");
        assertEquals(List.of(), beam.get(1).tokens());
        assertEquals(Math.log(0.36), beam.get(1).score(), 1e-12, "P('') = 0.6 * 0.6");
        assertEquals(2, beam.size(), "only two prefixes exist: '' and 'a' (a a needs 3 frames)");
    }

    /**
     * Repeated labels: frames (blank, a) = (0.5, 0.5) x 3. P(a a) needs a, _, a: 0.125. P(a) = all paths with one
     * run of a and no interior blank between a's: a__, _a_, __a, aa_, _aa, aaa = 6 * 0.125 = 0.75; P('') = 0.125.
     */
    @Test
    void repeatedLabelNeedsABlankBetween() {
        double[][] u = {{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}};
        List<Hypothesis> beam = new CtcPrefixBeamSearch(5, 0).search(log(u));
        Map<List<Integer>, Double> scores = new HashMap<>();
        beam.forEach(h -> scores.put(h.tokens(), h.score()));
        assertEquals(Math.log(0.75), scores.get(List.of(1)), 1e-12);
        assertEquals(Math.log(0.125), scores.get(List.of(1, 1)), 1e-12);
        assertEquals(Math.log(0.125), scores.get(List.of()), 1e-12);
        assertEquals(List.of(1), beam.get(0).tokens());
    }

    /** With a beam wider than every prefix set, scores equal the exact prefix probabilities from enumerating V^T paths. */
    @Test
    void wideBeamEqualsExhaustiveEnumeration() {
        Random random = new Random(3);
        int time = 5;
        int vocab = 3;
        double[][] lp = new double[time][vocab];
        for (int t = 0; t < time; t++) {
            double sum = 0;
            double[] p = new double[vocab];
            for (int v = 0; v < vocab; v++) {
                p[v] = 0.05 + random.nextDouble();
                sum += p[v];
            }
            for (int v = 0; v < vocab; v++) {
                lp[t][v] = Math.log(p[v] / sum);
            }
        }
        Map<List<Integer>, Double> exact = new HashMap<>();
        int[] path = new int[time];
        for (int code = 0; code < Math.pow(vocab, time); code++) {
            int c = code;
            double logp = 0;
            for (int t = 0; t < time; t++) {
                path[t] = c % vocab;
                c /= vocab;
                logp += lp[t][path[t]];
            }
            exact.merge(CtcGreedySearch.collapse(path, 0), Math.exp(logp), Double::sum);
        }
        List<Hypothesis> beam = new CtcPrefixBeamSearch(1000, 0).search(lp);
        assertEquals(exact.size(), beam.size(), "every prefix is kept");
        for (Hypothesis h : beam) {
            assertEquals(Math.log(exact.get(h.tokens())), h.score(), 1e-10, "prefix " + h.tokens());
        }
        double best = exact.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertEquals(Math.log(best), beam.get(0).score(), 1e-10, "sorted best first");
    }

    private static double[][] log(double[][] p) {
        double[][] lp = new double[p.length][];
        for (int t = 0; t < p.length; t++) {
            lp[t] = new double[p[t].length];
            for (int v = 0; v < p[t].length; v++) {
                lp[t][v] = Math.log(p[t][v]);
            }
        }
        return lp;
    }

    static NDArray batch(NDManager m, double[][]... utterances) {
        int time = utterances[0].length;
        int vocab = utterances[0][0].length;
        double[] flat = new double[utterances.length * time * vocab];
        int i = 0;
        for (double[][] u : utterances) {
            for (double[] frame : log(u)) {
                for (double v : frame) {
                    flat[i++] = v;
                }
            }
        }
        return m.create(flat, new Shape(utterances.length, time, vocab));
    }
}
