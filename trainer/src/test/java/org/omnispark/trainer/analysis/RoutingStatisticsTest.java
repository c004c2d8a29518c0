package org.omnispark.trainer.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.moe.RoutingResult;

class RoutingStatisticsTest {

    private static final double EPS = 1e-12;
    private static final double LN2 = Math.log(2);
    private static final double LN3 = Math.log(3);

    private static RoutingReport fixtureReport() {
        RoutingStatistics s = RoutingFixtures.newStats();
        s.add(RoutingFixtures.TOP, RoutingFixtures.VALID);
        return s.report();
    }

    @Test
    void usageCountsAllChoicesOfValidTokensOnly() {
        RoutingReport r = fixtureReport();
        assertEquals(6, r.tokens(), "the padding token 6 is not counted");
        // layer 0: top-1 0 0 1 1 2 2 plus second 1 2 0 2 0 1 -> [4, 4, 4]; padding (2, 0) ignored
        assertArrayEquals(new long[] {4, 4, 4}, r.usageCounts()[0], Arrays.toString(r.usageCounts()[0]));
        // layer 1: 0 0 1 1 1 1 -> [2, 4, 0]; layer 2: 0 1 0 1 0 1 -> [3, 3, 0]
        assertArrayEquals(new long[] {2, 4, 0}, r.usageCounts()[1], Arrays.toString(r.usageCounts()[1]));
        assertArrayEquals(new long[] {3, 3, 0}, r.usageCounts()[2], Arrays.toString(r.usageCounts()[2]));
        assertArrayEquals(new long[] {2, 2, 2}, r.top1Counts()[0], "top-1 only: " + Arrays.toString(r.top1Counts()[0]));
        assertArrayEquals(new double[] {1 / 3.0, 2 / 3.0, 0}, r.usage()[1], EPS, Arrays.toString(r.usage()[1]));
    }

    @Test
    void entropyAndCoefficientOfVariation() {
        RoutingReport r = fixtureReport();
        // H = -sum p ln p: layer 0 uniform -> ln 3 = 1.098612; layer 1 (1/3, 2/3) -> ln 3 - (2/3) ln 2 = 0.636514;
        // layer 2 (1/2, 1/2, 0) -> ln 2 = 0.693147
        assertEquals(LN3, r.entropy()[0], EPS, "entropy layer 0 = " + r.entropy()[0]);
        assertEquals(LN3 - 2 * LN2 / 3, r.entropy()[1], EPS, "entropy layer 1 = " + r.entropy()[1]);
        assertEquals(LN2, r.entropy()[2], EPS, "entropy layer 2 = " + r.entropy()[2]);
        // CV = sqrt(mean((c - m)^2)) / m: layer 0 [4,4,4] -> 0; layer 1 [2,4,0], m = 2, var = (0+4+4)/3 -> 0.816497;
        // layer 2 [3,3,0], m = 2, var = (1+1+4)/3 = 2 -> sqrt(2)/2 = 0.707107
        assertEquals(0, r.cv()[0], EPS, "cv layer 0 = " + r.cv()[0]);
        assertEquals(Math.sqrt(8 / 3.0) / 2, r.cv()[1], EPS, "cv layer 1 = " + r.cv()[1]);
        assertEquals(Math.sqrt(2) / 2, r.cv()[2], EPS, "cv layer 2 = " + r.cv()[2]);
    }

    @Test
    void conditionalRowsAndEmptyRows() {
        RoutingReport r = fixtureReport();
        // C_01: a=0 -> b=0 twice; a=1 -> b=1 twice; a=2 -> b=1 twice
        double[][] p01 = r.conditional(0, 1);
        assertArrayEquals(new double[] {1, 0, 0}, p01[0], EPS, Arrays.toString(p01[0]));
        assertArrayEquals(new double[] {0, 1, 0}, p01[1], EPS, Arrays.toString(p01[1]));
        assertArrayEquals(new double[] {0, 1, 0}, p01[2], EPS, Arrays.toString(p01[2]));
        // C_10 = C_01^T: a=1 -> b=1 twice, b=2 twice -> (0, .5, .5); expert 2 never top-1 in layer 1 -> zero row
        double[][] p10 = r.conditional(1, 0);
        assertArrayEquals(new double[] {1, 0, 0}, p10[0], EPS, Arrays.toString(p10[0]));
        assertArrayEquals(new double[] {0, 0.5, 0.5}, p10[1], EPS, Arrays.toString(p10[1]));
        assertArrayEquals(new double[] {0, 0, 0}, p10[2], EPS, Arrays.toString(p10[2]));
        // C_12: a=0 -> b=0,1; a=1 -> b=0,1,0,1 -> rows (.5, .5, 0), (.5, .5, 0), (0, 0, 0)
        double[][] p12 = r.conditional(1, 2);
        assertArrayEquals(new double[] {0.5, 0.5, 0}, p12[0], EPS, Arrays.toString(p12[0]));
        assertArrayEquals(new double[] {0.5, 0.5, 0}, p12[1], EPS, Arrays.toString(p12[1]));
        // diagonal pair: P_00 is the identity on the used experts
        assertArrayEquals(new double[] {0, 0, 1}, r.conditional(0, 0)[2], EPS);
    }

    @Test
    void agreement() {
        RoutingReport r = fixtureReport();
        // same top-1 index: (0,1) tokens 0 1 2 3 -> 4/6; (0,2) tokens 0 3 -> 2/6; (1,2) tokens 0 3 5 -> 3/6
        assertEquals(4 / 6.0, r.agreement()[0][1], EPS, "agreement(0,1) = " + r.agreement()[0][1]);
        assertEquals(2 / 6.0, r.agreement()[0][2], EPS, "agreement(0,2) = " + r.agreement()[0][2]);
        assertEquals(3 / 6.0, r.agreement()[1][2], EPS, "agreement(1,2) = " + r.agreement()[1][2]);
        assertEquals(r.agreement()[0][1], r.agreement()[1][0], EPS, "agreement is symmetric");
        assertEquals(1, r.agreement()[2][2], EPS, "a layer agrees with itself");
    }

    @Test
    void normalizedMutualInformation() {
        RoutingReport r = fixtureReport();
        // NMI = 2 I / (H_i + H_j). Identical layers: I = H -> 1.
        for (int l = 0; l < 3; l++) {
            assertEquals(1, r.nmi()[l][l], EPS, "nmi(" + l + "," + l + ") = " + r.nmi()[l][l]);
        }
        // layer 2 = (0 1 0 1 0 1) is independent of layer 0 = (0 0 1 1 2 2): every C[a][b] = 1 with r_a = 2,
        // c_b = 3, N = 6, so C N / (r_a c_b) = 1 and every log term is exactly 0 -> NMI 0. Same for layers 1, 2.
        assertEquals(0, r.nmi()[0][2], 0, "nmi(0,2) = " + r.nmi()[0][2]);
        assertEquals(0, r.nmi()[1][2], 0, "nmi(1,2) = " + r.nmi()[1][2]);
        // layer 1 is a function of layer 0: I = H_1 = ln 3 - (2/3) ln 2, H_0 = ln 3
        // NMI = 2 (ln 3 - 2/3 ln 2) / (2 ln 3 - 2/3 ln 2) = 0.733681
        double expected = 2 * (LN3 - 2 * LN2 / 3) / (2 * LN3 - 2 * LN2 / 3);
        assertEquals(expected, r.nmi()[0][1], EPS, "nmi(0,1) = " + r.nmi()[0][1] + ", expected " + expected);
        assertEquals(0.733681, r.nmi()[1][0], 1e-6, "nmi is symmetric: " + r.nmi()[1][0]);
    }

    @Test
    void constantLayersAndNoTokens() {
        RoutingStatistics s = RoutingStatistics.builder().setNumLayers(2).setNumExperts(3).build();
        assertEquals(0, s.report().nmi()[0][1], 0, "no tokens -> nmi 0");
        assertArrayEquals(new double[] {0, 0, 0}, s.report().conditional(0, 1)[0], 0);
        s.add(new long[][] {{1, 1, 1}, {2, 2, 2}}, new boolean[] {true, true, true});
        RoutingReport r = s.report();
        // both layers constant: H = 0 for both, identical single-cluster partitions -> NMI defined as 1
        assertEquals(1, r.nmi()[0][1], 0, "nmi of two constant layers = " + r.nmi()[0][1]);
        assertEquals(0, r.agreement()[0][1], 0, "expert 1 vs expert 2 never agree");
        assertEquals(0, r.entropy()[0], 0);
        // [0, 3, 0]: m = 1, var = (1 + 4 + 1) / 3 = 2 -> CV = sqrt(2)
        assertEquals(Math.sqrt(2), r.cv()[0], EPS, "cv = " + r.cv()[0]);
    }

    @Test
    void mergeEqualsAddingEverything() {
        RoutingStatistics all = RoutingFixtures.newStats();
        all.add(RoutingFixtures.TOP, RoutingFixtures.VALID);
        RoutingStatistics a = RoutingFixtures.newStats();
        RoutingStatistics b = RoutingFixtures.newStats();
        a.add(RoutingFixtures.slice(0, 2), RoutingFixtures.validSlice(0, 2));
        b.add(RoutingFixtures.slice(2, 5), RoutingFixtures.validSlice(2, 5));
        b.add(RoutingFixtures.slice(5, 7), RoutingFixtures.validSlice(5, 7));
        a.merge(b);
        assertSameCounts(all, a);
        assertEquals(all.report().toJson(), a.report().toJson(), "merged report differs from the single-pass one");
    }

    @Test
    void mergeEqualsAddingEverythingOnRandomBatches() {
        Random rnd = new Random(7);
        int layers = 4;
        int experts = 5;
        RoutingStatistics all = RoutingStatistics.builder().setNumLayers(layers).setNumExperts(experts).build();
        RoutingStatistics[] ranks = new RoutingStatistics[3];
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = RoutingStatistics.builder().setNumLayers(layers).setNumExperts(experts).build();
        }
        for (int batch = 0; batch < 9; batch++) {
            int t = 1 + rnd.nextInt(20);
            boolean[] valid = new boolean[t];
            long[][] top = new long[layers][t * 2];
            for (int i = 0; i < t; i++) {
                valid[i] = rnd.nextInt(4) != 0;
            }
            for (long[] row : top) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = rnd.nextInt(experts);
                }
            }
            all.add(top, valid);
            ranks[batch % ranks.length].add(top, valid);
        }
        ranks[0].merge(ranks[1]);
        ranks[0].merge(ranks[2]);
        assertSameCounts(all, ranks[0]);
    }

    private static void assertSameCounts(RoutingStatistics expected, RoutingStatistics actual) {
        assertEquals(expected.numTokens(), actual.numTokens(), "tokens");
        for (int i = 0; i < expected.numLayers(); i++) {
            assertArrayEquals(expected.usageCounts()[i], actual.usageCounts()[i], "usage layer " + i);
            for (int j = 0; j < expected.numLayers(); j++) {
                for (int e = 0; e < expected.numExperts(); e++) {
                    assertArrayEquals(expected.cooccurrence(i, j)[e], actual.cooccurrence(i, j)[e],
                            "C_" + i + j + " row " + e);
                }
            }
        }
    }

    @Test
    void addFromRoutingResultsMatchesPlainArrays() {
        RoutingStatistics plain = RoutingFixtures.newStats();
        plain.add(RoutingFixtures.TOP, RoutingFixtures.VALID);
        RoutingStatistics fromResults = RoutingFixtures.newStats();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            List<RoutingResult> layers = new ArrayList<>();
            for (long[] top : RoutingFixtures.TOP) {
                long[] perExpert = new long[3];
                layers.add(new RoutingResult(m.zeros(new Shape(7, 3)), null, top, null, RoutingFixtures.VALID, 6,
                        perExpert, null, null));
            }
            fromResults.add(layers);
            List<RoutingResult> twoLayers = layers.subList(0, 2);
            assertThrows(IllegalArgumentException.class, () -> fromResults.add(twoLayers), "2 of 3 layers");
        }
        assertSameCounts(plain, fromResults);
    }

    @Test
    void rejectsBadInput() {
        RoutingStatistics s = RoutingFixtures.newStats();
        boolean[] valid = {true, true};
        assertThrows(IllegalArgumentException.class, () -> s.add(new long[][] {{0, 1}, {0, 1}, {0, 3}}, valid),
                "expert 3 of 3");
        assertThrows(IllegalArgumentException.class, () -> s.add(new long[][] {{0, 1}, {0, 1}, {0, 1, 2}}, valid),
                "3 indices for 2 tokens");
        assertThrows(IllegalStateException.class, () -> RoutingStatistics.builder().setNumExperts(4).build());
        RoutingStatistics other = RoutingStatistics.builder().setNumLayers(3).setNumExperts(4).build();
        assertThrows(IllegalArgumentException.class, () -> s.merge(other));
        assertEquals(0, s.numTokens(), "a rejected batch adds nothing");
    }
}
