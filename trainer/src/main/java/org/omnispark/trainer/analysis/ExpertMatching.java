package org.omnispark.trainer.analysis;

import java.util.Arrays;

/**
 * The one-to-one pairing of two layers' experts that makes their top-1 choices agree most: the maximum-weight
 * perfect matching of a square co-occurrence table, found with the Hungarian algorithm (Kuhn-Munkres with
 * potentials, O(E^3)).
 *
 * <p>Why: expert labels are arbitrary per router. A Switch model's layer 3 may use its expert 0 for what layer 4 does
 * with its expert 2, so raw agreement (same index in both layers) says nothing for Switch, while the Omni-router's
 * shared gate makes indices comparable. Agreement after the best relabeling compares both kinds of model on the
 * same footing; it is at least the raw agreement, and equal to it when the identity pairing is already the best.
 */
public final class ExpertMatching {

    private ExpertMatching() {}

    /**
     * @param joint square {@code [E][E]} non-negative counts, {@code joint[a][b]} = tokens with top-1 expert a in one
     *     layer and b in the other
     * @return {@code match[a]} = the expert b paired with a; a permutation of 0..E-1 maximizing
     *     {@code sum_a joint[a][match[a]]} (ties broken deterministically)
     */
    public static int[] best(long[][] joint) {
        int n = joint.length;
        for (long[] row : joint) {
            if (row.length != n) {
                throw new IllegalArgumentException("the co-occurrence table must be square [E][E]; got a row of "
                        + row.length + " in a table of " + n + " rows");
            }
        }
        // minimize cost = -joint; rows and columns are 1-based below, index 0 is the algorithm's sentinel
        long[] rowPotential = new long[n + 1];
        long[] colPotential = new long[n + 1];
        int[] rowOfCol = new int[n + 1];
        int[] previous = new int[n + 1];
        for (int row = 1; row <= n; row++) {
            rowOfCol[0] = row;
            int col = 0;
            long[] slack = new long[n + 1];
            Arrays.fill(slack, Long.MAX_VALUE);
            boolean[] visited = new boolean[n + 1];
            do {
                visited[col] = true;
                int r = rowOfCol[col];
                int next = 0;
                long delta = Long.MAX_VALUE;
                for (int c = 1; c <= n; c++) {
                    if (!visited[c]) {
                        long reduced = -joint[r - 1][c - 1] - rowPotential[r] - colPotential[c];
                        if (reduced < slack[c]) {
                            slack[c] = reduced;
                            previous[c] = col;
                        }
                        if (slack[c] < delta) {
                            delta = slack[c];
                            next = c;
                        }
                    }
                }
                for (int c = 0; c <= n; c++) {
                    if (visited[c]) {
                        rowPotential[rowOfCol[c]] += delta;
                        colPotential[c] -= delta;
                    } else {
                        slack[c] -= delta;
                    }
                }
                col = next;
            } while (rowOfCol[col] != 0);
            do { // augment along the alternating path
                int prev = previous[col];
                rowOfCol[col] = rowOfCol[prev];
                col = prev;
            } while (col != 0);
        }
        int[] match = new int[n];
        for (int c = 1; c <= n; c++) {
            match[rowOfCol[c] - 1] = c - 1;
        }
        return match;
    }

    /**
     * @param joint square {@code [E][E]} counts
     * @return {@code max over pairings of sum_a joint[a][match[a]] / N}, 0 without counts
     */
    public static double matchedAgreement(long[][] joint) {
        int[] match = best(joint);
        long total = 0;
        long matched = 0;
        for (int a = 0; a < joint.length; a++) {
            total += RoutingMeasures.sum(joint[a]);
            matched += joint[a][match[a]];
        }
        return total == 0 ? 0 : (double) matched / total;
    }
}
