package org.omnispark.trainer.analysis;

import java.util.Arrays;
import java.util.List;
import org.omnispark.trainer.moe.RoutingResult;

/**
 * Accumulates expert-routing statistics of an MoE model over many batches: per-layer expert usage and, for every
 * ordered pair of MoE layers, how the top-1 choices of the two layers co-occur (the "structured expert usage"
 * analysis of the Omni-router paper).
 *
 * <p>Counting rules:
 *
 * <ul>
 *   <li>Only valid tokens (validMask true) are counted; padding tokens are ignored.
 *   <li>Usage counts {@code [L][E]} count ALL k choices of each valid token (k may differ between layers).
 *   <li>Co-occurrence counts {@code C_ij[a][b]} use the FIRST choice (top-1) of each token: the number of valid tokens
 *       whose top-1 expert is a in layer i and b in layer j. {@code C_ii} is diagonal and {@code C_ji} is the
 *       transpose of {@code C_ij}.
 * </ul>
 *
 * <p>Every layer of one batch must see the same tokens in the same order with the same validMask (true for the MoE
 * layers of one encoder, which keep the time axis). All counts are exact integers, so {@link #merge} of per-rank or
 * per-thread accumulators gives exactly the same result as adding every batch to one accumulator.
 *
 * <p>Thread-confined: an instance is not synchronized; give each thread its own and merge them at the end. Turn the
 * counts into fractions, conditional distributions, agreement, mutual information, entropy and load-balance numbers
 * with {@link #report()}.
 */
public final class RoutingStatistics {

    private final int numLayers;
    private final int numExperts;
    /** [L][E]: (token, choice) assignments per expert, all k choices. */
    private final long[][] usage;
    /** [L][L][E][E]: top-1 co-occurrence counts C_ij[a][b]. */
    private final long[][][][] cooccurrence;
    private long numTokens;

    private RoutingStatistics(int numLayers, int numExperts) {
        this.numLayers = numLayers;
        this.numExperts = numExperts;
        this.usage = new long[numLayers][numExperts];
        this.cooccurrence = new long[numLayers][numLayers][numExperts][numExperts];
    }

    /** @return a builder; set the number of MoE layers and of experts */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds one batch given as the routing results of every MoE layer (in layer order), e.g. {@code
     * MoeOutput.routing()} of each layer of one forward pass. Only the host-side fields (topIndices, validMask) are
     * read.
     *
     * @param perLayer one routing result per MoE layer, all over the same T tokens
     */
    public void add(List<RoutingResult> perLayer) {
        if (perLayer.size() != numLayers) {
            throw new IllegalArgumentException("got routing results of " + perLayer.size() + " layers but the statistics"
                    + " were built for " + numLayers + " MoE layers; pass one RoutingResult per MoE layer");
        }
        long[][] topIndices = new long[numLayers][];
        for (int l = 0; l < numLayers; l++) {
            RoutingResult r = perLayer.get(l);
            if (r.numExperts() != numExperts) {
                throw new IllegalArgumentException("layer " + l + " routes over " + r.numExperts()
                        + " experts but the statistics were built for " + numExperts);
            }
            if (!Arrays.equals(r.validMask(), perLayer.get(0).validMask())) {
                throw new IllegalArgumentException("layer " + l + " has a different validMask than layer 0; all"
                        + " layers of one batch must see the same tokens in the same order");
            }
            topIndices[l] = r.topIndices();
        }
        add(topIndices, perLayer.get(0).validMask());
    }

    /**
     * Adds one batch given as plain arrays.
     *
     * @param topIndicesPerLayer per layer, the chosen experts row-major {@code [T, k_l]} (first choice first); the
     *     length of each row must be a multiple of T
     * @param validMask true for real tokens, length T (the same for every layer)
     */
    public void add(long[][] topIndicesPerLayer, boolean[] validMask) {
        int numTok = validMask.length;
        int[] topK = checkBatch(topIndicesPerLayer, numTok);
        int[] top1 = new int[numLayers];
        for (int t = 0; t < numTok; t++) {
            if (!validMask[t]) {
                continue;
            }
            for (int l = 0; l < numLayers; l++) {
                int k = topK[l];
                for (int c = 0; c < k; c++) {
                    usage[l][(int) topIndicesPerLayer[l][t * k + c]]++;
                }
                top1[l] = (int) topIndicesPerLayer[l][t * k];
            }
            for (int i = 0; i < numLayers; i++) {
                for (int j = 0; j < numLayers; j++) {
                    cooccurrence[i][j][top1[i]][top1[j]]++;
                }
            }
            numTokens++;
        }
    }

    private int[] checkBatch(long[][] topIndicesPerLayer, int numTok) {
        if (topIndicesPerLayer.length != numLayers) {
            throw new IllegalArgumentException("got top indices of " + topIndicesPerLayer.length + " layers but the"
                    + " statistics were built for " + numLayers + " MoE layers");
        }
        int[] topK = new int[numLayers];
        for (int l = 0; l < numLayers; l++) {
            long[] row = topIndicesPerLayer[l];
            if (numTok == 0 ? row.length != 0 : row.length == 0 || row.length % numTok != 0) {
                throw new IllegalArgumentException("layer " + l + " has " + row.length + " top indices, not a"
                        + " positive multiple of the " + numTok + " tokens of validMask; pass them row-major [T, k]");
            }
            topK[l] = numTok == 0 ? 0 : row.length / numTok;
            for (long e : row) {
                if (e < 0 || e >= numExperts) {
                    throw new IllegalArgumentException("layer " + l + " routes to expert " + e + " outside [0, "
                            + numExperts + "); build the statistics with the model's number of experts");
                }
            }
        }
        return topK;
    }

    /**
     * Adds the counts of another accumulator (another rank or thread) to this one.
     *
     * @param other statistics over the same layers and experts; it is not changed
     */
    public void merge(RoutingStatistics other) {
        if (other.numLayers != numLayers || other.numExperts != numExperts) {
            throw new IllegalArgumentException("cannot merge statistics of " + other.numLayers + " layers x "
                    + other.numExperts + " experts into " + numLayers + " x " + numExperts);
        }
        for (int i = 0; i < numLayers; i++) {
            for (int e = 0; e < numExperts; e++) {
                usage[i][e] += other.usage[i][e];
            }
            for (int j = 0; j < numLayers; j++) {
                for (int a = 0; a < numExperts; a++) {
                    for (int b = 0; b < numExperts; b++) {
                        cooccurrence[i][j][a][b] += other.cooccurrence[i][j][a][b];
                    }
                }
            }
        }
        numTokens += other.numTokens;
    }

    /** @return L, the number of MoE layers */
    public int numLayers() {
        return numLayers;
    }

    /** @return E, the number of experts */
    public int numExperts() {
        return numExperts;
    }

    /** @return valid tokens counted so far */
    public long numTokens() {
        return numTokens;
    }

    /** @return a copy of the usage counts {@code [L][E]} over all k choices */
    public long[][] usageCounts() {
        long[][] copy = new long[numLayers][];
        for (int l = 0; l < numLayers; l++) {
            copy[l] = usage[l].clone();
        }
        return copy;
    }

    /**
     * @param i first layer
     * @param j second layer
     * @return a copy of the top-1 co-occurrence counts {@code C_ij [E][E]}, rows = expert in layer i
     */
    public long[][] cooccurrence(int i, int j) {
        long[][] copy = new long[numExperts][];
        for (int a = 0; a < numExperts; a++) {
            copy[a] = cooccurrence[i][j][a].clone();
        }
        return copy;
    }

    /** @return the derived numbers (fractions, conditionals, agreement raw and matched, NMI, entropy, CV) of the counts so far */
    public RoutingReport report() {
        double[][] usageFraction = new double[numLayers][];
        double[] entropy = new double[numLayers];
        double[] cv = new double[numLayers];
        long[][] top1 = new long[numLayers][];
        for (int l = 0; l < numLayers; l++) {
            usageFraction[l] = RoutingMeasures.fractions(usage[l]);
            entropy[l] = RoutingMeasures.entropy(usage[l]);
            cv[l] = RoutingMeasures.coefficientOfVariation(usage[l]);
            top1[l] = RoutingMeasures.rowSums(cooccurrence[l][l]);
        }
        double[][][][] conditional = new double[numLayers][numLayers][][];
        double[][] agreement = new double[numLayers][numLayers];
        double[][] nmi = new double[numLayers][numLayers];
        double[][] matched = new double[numLayers][numLayers];
        for (int i = 0; i < numLayers; i++) {
            for (int j = 0; j < numLayers; j++) {
                conditional[i][j] = RoutingMeasures.rowNormalize(cooccurrence[i][j]);
                agreement[i][j] = RoutingMeasures.agreement(cooccurrence[i][j]);
                nmi[i][j] = RoutingMeasures.normalizedMutualInformation(cooccurrence[i][j]);
                matched[i][j] = ExpertMatching.matchedAgreement(cooccurrence[i][j]);
            }
        }
        return new RoutingReport(numLayers, numExperts, numTokens, usageCounts(), usageFraction, top1, conditional,
                agreement, matched, nmi, entropy, cv);
    }

    /** Builder of {@link RoutingStatistics}. */
    public static final class Builder {
        private int numLayers = -1;
        private int numExperts = -1;

        private Builder() {}

        /**
         * @param numLayers L, the number of MoE layers whose routing is recorded (required, at least 1)
         * @return this builder
         */
        public Builder setNumLayers(int numLayers) {
            this.numLayers = numLayers;
            return this;
        }

        /**
         * @param numExperts E, the number of experts per MoE layer (required, at least 1)
         * @return this builder
         */
        public Builder setNumExperts(int numExperts) {
            this.numExperts = numExperts;
            return this;
        }

        /** @return an empty accumulator */
        public RoutingStatistics build() {
            if (numLayers < 1 || numExperts < 1) {
                throw new IllegalStateException("call setNumLayers(>= 1) and setNumExperts(>= 1) before build();"
                        + " got layers=" + numLayers + ", experts=" + numExperts);
            }
            return new RoutingStatistics(numLayers, numExperts);
        }
    }
}
