package org.omnispark.trainer.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word error rate (WER) and character error rate (CER) by minimum-cost alignment of hypothesis and reference.
 *
 * <p>The alignment minimizes {@code sub * S + del * D + ins * I} (sclite's weights 4, 3, 3 by default) and, among
 * alignments of equal cost, maximizes S (as sclite does); the reported counts are plain counts. Words are
 * whitespace-separated tokens; characters are Unicode code points with all whitespace removed (sclite {@code -c}).
 * Comparison is case-sensitive unless {@link Builder#optIgnoreCase} is set.
 *
 * <pre>
 *   ErrorRateCalculator calc = ErrorRateCalculator.sclite();
 *   EditCounts w = calc.wordCounts("the cat sat", "the cat sat down");   // C=3 S=0 D=0 I=1, WER 1/3
 *   ErrorRateReport r = calc.score(references, hypotheses);             // matched by utterance id
 * </pre>
 */
public final class ErrorRateCalculator {

    private final EditCosts costs;
    private final boolean ignoreCase;

    private ErrorRateCalculator(Builder builder) {
        this.costs = builder.costs;
        this.ignoreCase = builder.ignoreCase;
    }

    /** @return a builder (sclite costs, case-sensitive) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return sclite-compatible alignment, case-sensitive (sclite with {@code -s}) */
    public static ErrorRateCalculator sclite() {
        return builder().build();
    }

    /**
     * Splits text into words on whitespace.
     *
     * @param text any text, may be empty
     * @return the words, no empty strings
     */
    public static List<String> words(String text) {
        String stripped = text.strip();
        if (stripped.isEmpty()) {
            return List.of();
        }
        return List.of(stripped.split("\\s+"));
    }

    /**
     * Splits text into characters (code points), dropping whitespace.
     *
     * @param text any text
     * @return one string per non-whitespace code point
     */
    public static List<String> characters(String text) {
        List<String> result = new ArrayList<>();
        text.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(c -> result.add(new String(Character.toChars(c))));
        return result;
    }

    /**
     * Word counts of one utterance.
     *
     * @param reference the reference text
     * @param hypothesis the hypothesis text
     * @return C, S, D, I over words
     */
    public EditCounts wordCounts(String reference, String hypothesis) {
        return align(words(reference), words(hypothesis)).counts();
    }

    /**
     * Character counts of one utterance (whitespace removed).
     *
     * @param reference the reference text
     * @param hypothesis the hypothesis text
     * @return C, S, D, I over characters
     */
    public EditCounts characterCounts(String reference, String hypothesis) {
        return align(characters(reference), characters(hypothesis)).counts();
    }

    /**
     * Scores hypotheses against references matched by utterance id.
     *
     * @param references the references; every id once
     * @param hypotheses one hypothesis per reference (any order); a missing hypothesis is an error
     * @return totals and per-utterance counts in reference order
     */
    public ErrorRateReport score(List<Transcript> references, List<Transcript> hypotheses) {
        Map<String, String> hyps = new LinkedHashMap<>();
        for (Transcript h : hypotheses) {
            if (hyps.put(h.utteranceId(), h.text()) != null) {
                throw new IllegalArgumentException("Hypothesis id " + h.utteranceId() + " appears twice");
            }
        }
        Map<String, EditCounts> perWords = new LinkedHashMap<>();
        Map<String, EditCounts> perChars = new LinkedHashMap<>();
        EditCounts words = EditCounts.ZERO;
        EditCounts chars = EditCounts.ZERO;
        for (Transcript r : references) {
            String hyp = hyps.get(r.utteranceId());
            if (hyp == null) {
                throw new IllegalArgumentException("No hypothesis for utterance " + r.utteranceId()
                        + "; give an empty hypothesis (\"\") for an utterance the decoder produced nothing for");
            }
            if (perWords.containsKey(r.utteranceId())) {
                throw new IllegalArgumentException("Reference id " + r.utteranceId() + " appears twice");
            }
            EditCounts w = wordCounts(r.text(), hyp);
            EditCounts c = characterCounts(r.text(), hyp);
            perWords.put(r.utteranceId(), w);
            perChars.put(r.utteranceId(), c);
            words = words.plus(w);
            chars = chars.plus(c);
        }
        if (hyps.size() != references.size()) {
            throw new IllegalArgumentException(hyps.size() + " hypotheses for " + references.size()
                    + " references; every hypothesis id must have a reference");
        }
        return new ErrorRateReport(words, chars, perWords, perChars);
    }

    /**
     * Aligns two token sequences.
     *
     * @param reference reference tokens
     * @param hypothesis hypothesis tokens
     * @return the chosen alignment and its counts
     */
    public Alignment align(List<String> reference, List<String> hypothesis) {
        int n = reference.size();
        int m = hypothesis.size();
        List<String> ref = normalize(reference);
        List<String> hyp = normalize(hypothesis);
        // cost[i][j], subs[i][j]: best (cost, -substitutions) aligning ref[0, i) with hyp[0, j); move: 0 diag, 1 del,
        // 2 ins. Both quantities are additive, so the lexicographic optimum is exact by dynamic programming.
        long[][] cost = new long[n + 1][m + 1];
        int[][] subs = new int[n + 1][m + 1];
        byte[][] move = new byte[n + 1][m + 1];
        for (int i = 1; i <= n; i++) {
            cost[i][0] = cost[i - 1][0] + costs.deletion();
            move[i][0] = 1;
        }
        for (int j = 1; j <= m; j++) {
            cost[0][j] = cost[0][j - 1] + costs.insertion();
            move[0][j] = 2;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                boolean same = ref.get(i - 1).equals(hyp.get(j - 1));
                long bestCost = cost[i - 1][j - 1] + (same ? 0 : costs.substitution());
                int bestSubs = subs[i - 1][j - 1] + (same ? 0 : 1);
                byte bestMove = 0;
                long delCost = cost[i - 1][j] + costs.deletion();
                if (delCost < bestCost || (delCost == bestCost && subs[i - 1][j] > bestSubs)) {
                    bestCost = delCost;
                    bestSubs = subs[i - 1][j];
                    bestMove = 1;
                }
                long insCost = cost[i][j - 1] + costs.insertion();
                if (insCost < bestCost || (insCost == bestCost && subs[i][j - 1] > bestSubs)) {
                    bestCost = insCost;
                    bestSubs = subs[i][j - 1];
                    bestMove = 2;
                }
                cost[i][j] = bestCost;
                subs[i][j] = bestSubs;
                move[i][j] = bestMove;
            }
        }
        List<Alignment.Operation> ops = new ArrayList<>(n + m);
        long c = 0;
        long s = 0;
        long d = 0;
        long ins = 0;
        int i = n;
        int j = m;
        while (i > 0 || j > 0) {
            switch (move[i][j]) {
                case 0:
                    boolean same = ref.get(i - 1).equals(hyp.get(j - 1));
                    ops.add(new Alignment.Operation(same ? Alignment.Kind.CORRECT : Alignment.Kind.SUBSTITUTION,
                            reference.get(i - 1), hypothesis.get(j - 1)));
                    if (same) {
                        c++;
                    } else {
                        s++;
                    }
                    i--;
                    j--;
                    break;
                case 1:
                    ops.add(new Alignment.Operation(Alignment.Kind.DELETION, reference.get(i - 1), null));
                    d++;
                    i--;
                    break;
                default:
                    ops.add(new Alignment.Operation(Alignment.Kind.INSERTION, null, hypothesis.get(j - 1)));
                    ins++;
                    j--;
                    break;
            }
        }
        Collections.reverse(ops);
        return new Alignment(ops, new EditCounts(c, s, d, ins));
    }

    private List<String> normalize(List<String> tokens) {
        if (!ignoreCase) {
            return tokens;
        }
        List<String> lower = new ArrayList<>(tokens.size());
        for (String t : tokens) {
            lower.add(t.toLowerCase(Locale.ROOT));
        }
        return lower;
    }

    /** @return the edit costs */
    public EditCosts costs() {
        return costs;
    }

    /** Builder of {@link ErrorRateCalculator}; all values optional. */
    public static final class Builder {
        private EditCosts costs = EditCosts.SCLITE;
        private boolean ignoreCase;

        /** @param costs default {@link EditCosts#SCLITE} @return this */
        public Builder optCosts(EditCosts costs) {
            this.costs = costs;
            return this;
        }

        /** @param ignoreCase compare lower-cased tokens (sclite's default without -s); default false @return this */
        public Builder optIgnoreCase(boolean ignoreCase) {
            this.ignoreCase = ignoreCase;
            return this;
        }

        /** @return the calculator */
        public ErrorRateCalculator build() {
            if (costs == null) {
                throw new IllegalArgumentException("costs must not be null; use EditCosts.SCLITE");
            }
            return new ErrorRateCalculator(this);
        }
    }
}
