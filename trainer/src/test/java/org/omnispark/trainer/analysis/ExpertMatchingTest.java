package org.omnispark.trainer.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExpertMatchingTest {

    /** The best pairing by trying every permutation (E! of them). */
    private static long bruteForce(long[][] joint) {
        return bruteForce(joint, 0, new boolean[joint.length]);
    }

    private static long bruteForce(long[][] joint, int row, boolean[] used) {
        if (row == joint.length) {
            return 0;
        }
        long best = Long.MIN_VALUE;
        for (int c = 0; c < joint.length; c++) {
            if (!used[c]) {
                used[c] = true;
                best = Math.max(best, joint[row][c] + bruteForce(joint, row + 1, used));
                used[c] = false;
            }
        }
        return best;
    }

    @Test
    void handExample() {
        // identity pairing gives 1 + 1 + 1 = 3 of 21; the best pairs 0->1, 1->2, 2->0: 5 + 6 + 4 = 15
        long[][] joint = {{1, 5, 0}, {0, 1, 6}, {4, 3, 1}};
        assertArrayEquals(new int[] {1, 2, 0}, ExpertMatching.best(joint));
        assertEquals(15 / 21.0, ExpertMatching.matchedAgreement(joint), 1e-15);
        assertEquals(3 / 21.0, RoutingMeasures.agreement(joint), 1e-15);
    }

    @Test
    void agreesWithBruteForceOnRandomTables() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(7);
            long[][] joint = new long[n][n];
            for (long[] row : joint) {
                for (int c = 0; c < n; c++) {
                    // many zeros and ties, as in real routing tables
                    row[c] = random.nextInt(4) == 0 ? 0 : random.nextInt(trial % 2 == 0 ? 5 : 100_000);
                }
            }
            int[] match = ExpertMatching.best(joint);
            boolean[] seen = new boolean[n];
            long value = 0;
            for (int a = 0; a < n; a++) {
                assertTrue(!seen[match[a]], "a permutation: " + java.util.Arrays.toString(match));
                seen[match[a]] = true;
                value += joint[a][match[a]];
            }
            assertEquals(bruteForce(joint), value, "trial " + trial + ", E = " + n);
            assertTrue(ExpertMatching.matchedAgreement(joint) >= RoutingMeasures.agreement(joint) - 1e-15);
        }
    }

    @Test
    void relabeledExpertsAgreeFullyAfterMatching() {
        // a Switch-like pair of layers: layer j uses expert (a + 2) mod 4 for what layer i does with expert a
        long[][] joint = new long[4][4];
        long[][] relabeled = new long[4][4];
        for (int a = 0; a < 4; a++) {
            joint[a][a] = 10 + a;
            relabeled[a][(a + 2) % 4] = 10 + a;
        }
        relabeled[1][0] = 3; // and some disagreement
        assertEquals(0, RoutingMeasures.agreement(relabeled), 0);
        assertEquals(46 / 49.0, ExpertMatching.matchedAgreement(relabeled), 1e-15);
        assertEquals(1, ExpertMatching.matchedAgreement(joint), 0);
        assertEquals(0, ExpertMatching.matchedAgreement(new long[3][3]), 0, "no tokens");
    }

    @Test
    void nonSquareTableIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExpertMatching.best(new long[][] {{1, 2}, {3}}));
        assertTrue(e.getMessage().contains("square"), e.getMessage());
    }

    @Test
    void reportCarriesMatchedAgreementAndRebuildsItForOlderFiles() throws Exception {
        RoutingStatistics s = RoutingFixtures.newStats();
        s.add(RoutingFixtures.TOP, RoutingFixtures.VALID);
        RoutingReport r = s.report();
        for (int i = 0; i < r.layers(); i++) {
            for (int j = 0; j < r.layers(); j++) {
                assertEquals(ExpertMatching.matchedAgreement(s.cooccurrence(i, j)), r.matchedAgreement()[i][j], 0);
                assertTrue(r.matchedAgreement()[i][j] >= r.agreement()[i][j]);
            }
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode old = (ObjectNode) mapper.readTree(r.toJson());
        old.remove("matched_agreement");
        RoutingReport back = RoutingReport.fromJson(mapper.writeValueAsString(old));
        for (int i = 0; i < r.layers(); i++) {
            assertArrayEquals(r.matchedAgreement()[i], back.matchedAgreement()[i], 1e-15,
                    "rebuilt from conditional x top-1 counts");
        }
    }
}
