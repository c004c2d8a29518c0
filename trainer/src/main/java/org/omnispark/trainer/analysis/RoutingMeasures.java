package org.omnispark.trainer.analysis;

/**
 * The formulas behind {@link RoutingReport}, on exact integer counts. Natural logarithms (nats) throughout.
 *
 * <p>For a joint count table {@code C[a][b]} (top-1 expert a in layer i, b in layer j) with {@code N = sum C},
 * row sums {@code r_a} and column sums {@code c_b}:
 *
 * <ul>
 *   <li>{@code P(b | a) = C[a][b] / r_a}; a row with {@code r_a = 0} is all zero (no token chose a).
 *   <li>agreement {@code = sum_a C[a][a] / N}: the fraction of tokens whose top-1 expert index is the same in both
 *       layers (meaningful when expert e of every layer is "the same" expert slot, as with the Omni-router's shared
 *       gate).
 *   <li>entropy {@code H(X) = -sum_a (r_a/N) ln(r_a/N)}.
 *   <li>mutual information {@code I(X;Y) = sum_{a,b: C>0} (C[a][b]/N) ln(C[a][b] N / (r_a c_b))}.
 *   <li>normalized mutual information, arithmetic-mean normalization (scikit-learn's default): {@code NMI = 2 I(X;Y)
 *       / (H(X) + H(Y))}, in [0, 1]; 1 when one layer's choice determines the other's one-to-one, 0 when they are
 *       independent. When both layers always pick one expert (H(X) = H(Y) = 0) the two partitions are identical and
 *       NMI is 1; with no tokens it is 0.
 *   <li>matched agreement: the agreement after the best one-to-one relabeling of one layer's experts
 *       ({@link ExpertMatching}); label-free, so it compares Switch (a router per layer) with the Omni-router.
 *   <li>coefficient of variation of the load {@code CV = std / mean} of the per-expert counts (population standard
 *       deviation over the E experts; 0 for a perfectly balanced layer and for a layer without tokens).
 * </ul>
 */
public final class RoutingMeasures {

    private RoutingMeasures() {}

    /**
     * @param counts non-negative counts
     * @return counts / sum, all zero when the sum is 0
     */
    public static double[] fractions(long[] counts) {
        long total = sum(counts);
        double[] out = new double[counts.length];
        for (int i = 0; i < counts.length && total > 0; i++) {
            out[i] = (double) counts[i] / total;
        }
        return out;
    }

    /**
     * @param counts non-negative counts of a categorical variable
     * @return its entropy in nats, 0 when the sum is 0
     */
    public static double entropy(long[] counts) {
        long total = sum(counts);
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /**
     * @param counts per-expert load
     * @return population standard deviation / mean, 0 when the mean is 0
     */
    public static double coefficientOfVariation(long[] counts) {
        double mean = (double) sum(counts) / counts.length;
        if (mean == 0) {
            return 0;
        }
        double var = 0;
        for (long c : counts) {
            var += (c - mean) * (c - mean);
        }
        return Math.sqrt(var / counts.length) / mean;
    }

    /**
     * @param joint {@code [A][B]} counts
     * @return {@code P(b | a)} {@code [A][B]}; rows without counts are all zero
     */
    public static double[][] rowNormalize(long[][] joint) {
        double[][] out = new double[joint.length][];
        for (int a = 0; a < joint.length; a++) {
            out[a] = fractions(joint[a]);
        }
        return out;
    }

    /**
     * @param joint square {@code [E][E]} counts
     * @return trace / total, 0 when there are no counts
     */
    public static double agreement(long[][] joint) {
        long total = 0;
        long same = 0;
        for (int a = 0; a < joint.length; a++) {
            total += sum(joint[a]);
            same += joint[a][a];
        }
        return total == 0 ? 0 : (double) same / total;
    }

    /**
     * @param joint {@code [A][B]} counts
     * @return mutual information of the row and column variables in nats
     */
    public static double mutualInformation(long[][] joint) {
        long[] rows = rowSums(joint);
        long[] cols = columnSums(joint);
        double total = sum(rows);
        double mi = 0;
        for (int a = 0; a < joint.length; a++) {
            for (int b = 0; b < joint[a].length; b++) {
                long c = joint[a][b];
                if (c > 0) {
                    mi += (c / total) * Math.log(c * total / ((double) rows[a] * cols[b]));
                }
            }
        }
        return Math.max(0, mi);
    }

    /**
     * @param joint {@code [A][B]} counts
     * @return {@code 2 I / (H_row + H_col)} clamped to [0, 1]; 1 when both entropies are 0, 0 without counts
     */
    public static double normalizedMutualInformation(long[][] joint) {
        long[] rows = rowSums(joint);
        if (sum(rows) == 0) {
            return 0;
        }
        double denom = entropy(rows) + entropy(columnSums(joint));
        if (denom == 0) {
            return 1;
        }
        return Math.min(1, Math.max(0, 2 * mutualInformation(joint) / denom));
    }

    /**
     * @param joint {@code [A][B]} counts
     * @return {@code [A]} row sums
     */
    public static long[] rowSums(long[][] joint) {
        long[] out = new long[joint.length];
        for (int a = 0; a < joint.length; a++) {
            out[a] = sum(joint[a]);
        }
        return out;
    }

    /**
     * @param joint {@code [A][B]} counts (rectangular, at least one row)
     * @return {@code [B]} column sums
     */
    public static long[] columnSums(long[][] joint) {
        long[] out = new long[joint.length == 0 ? 0 : joint[0].length];
        for (long[] row : joint) {
            for (int b = 0; b < row.length; b++) {
                out[b] += row[b];
            }
        }
        return out;
    }

    static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }
}
