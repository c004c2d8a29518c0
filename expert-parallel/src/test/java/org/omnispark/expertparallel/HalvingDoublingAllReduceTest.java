package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Exchanger;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link HalvingDoublingAllReduce} among P threads that swap bytes through {@link Exchanger}s (the algorithm alone;
 * MeshProcessGroupTest runs it over sockets): sums exact where floats add exactly, every member the same bits, the
 * complete segment handed to the hierarchical hook, the ring's bytes, and which partners it talks to.
 */
class HalvingDoublingAllReduceTest {

    /** Runs the all-reduce on {@code inputs[position]} (one array per member); returns the results and bytes sent. */
    private static List<float[]> run(float[][] inputs, List<List<Integer>> partners, long[] sent,
            java.util.function.IntFunction<Consumer<FloatBuffer>> between) throws Exception {
        int p = inputs.length;
        @SuppressWarnings("unchecked")
        Exchanger<byte[]>[][] pairs = new Exchanger[p][p];
        for (int a = 0; a < p; a++) {
            for (int b = a + 1; b < p; b++) {
                pairs[a][b] = new Exchanger<>();
                pairs[b][a] = pairs[a][b];
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(p);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int r = 0; r < p; r++) {
                int position = r;
                futures.add(pool.submit(() -> {
                    ByteBuffer values = ByteBuffer.allocateDirect(inputs[position].length * 4)
                            .order(ByteOrder.LITTLE_ENDIAN);
                    values.asFloatBuffer().put(inputs[position]);
                    HalvingDoublingAllReduce.Exchange exchange = (partner, out, in, step) -> {
                        synchronized (partners) {
                            partners.get(position).add(partner);
                        }
                        byte[] mine = new byte[out.remaining()];
                        out.get(mine); // as a socket write and read do, this moves both buffers' positions
                        try {
                            byte[] theirs = pairs[position][partner].exchange(mine, 30, TimeUnit.SECONDS);
                            assertEquals(in.remaining(), theirs.length, step + ": sizes agree");
                            in.put(theirs);
                        } catch (Exception e) {
                            throw new IllegalStateException(step, e);
                        }
                    };
                    sent[position] = HalvingDoublingAllReduce.allReduce(values, p, position,
                            between == null ? null : between.apply(position), exchange, "test");
                    float[] result = new float[inputs[position].length];
                    values.asFloatBuffer().get(result);
                    return result;
                }));
            }
            List<float[]> results = new ArrayList<>();
            for (Future<float[]> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<List<Integer>> partnerLists(int p) {
        List<List<Integer>> partners = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            partners.add(new ArrayList<>());
        }
        return partners;
    }

    @ParameterizedTest
    @CsvSource({"2,1", "2,5", "4,0", "4,3", "4,1000", "8,7", "8,4099", "16,15", "16,16", "16,1001"})
    void integerValuesSumExactlyAndEveryMemberHasTheSameBits(int p, int n) throws Exception {
        Random random = new Random(p * 1000L + n);
        float[][] inputs = new float[p][n];
        float[] expected = new float[n];
        for (int r = 0; r < p; r++) {
            for (int i = 0; i < n; i++) {
                inputs[r][i] = random.nextInt(2001) - 1000; // sums stay far below 2^24: float adds are exact
                expected[i] += inputs[r][i];
            }
        }
        List<List<Integer>> partners = partnerLists(p);
        long[] sent = new long[p];
        List<float[]> results = run(inputs, partners, sent, null);
        for (int r = 0; r < p; r++) {
            assertArrayEquals(expected, results.get(r), "member " + r);
            // 2 log2 P exchanges, each with position XOR d: distances P/2 .. 1, then 1 .. P/2
            int log = Integer.numberOfTrailingZeros(p);
            assertEquals(2 * log, partners.get(r).size());
            for (int k = 0; k < log; k++) {
                assertEquals(r ^ (p >> (k + 1)), partners.get(r).get(k), "halving step " + k);
                assertEquals(r ^ (1 << k), partners.get(r).get(log + k), "doubling step " + k);
            }
        }
        if (n % p == 0) { // the ring's bytes: 2 (P - 1) / P of the buffer
            for (int r = 0; r < p; r++) {
                assertEquals(2L * (p - 1) * n / p * 4, sent[r], "member " + r);
            }
        }
    }

    @Test
    void arbitraryFloatsGiveTheSameBitsEverywhereAndTheSumToRounding() throws Exception {
        int p = 8;
        int n = 3001;
        Random random = new Random(5);
        float[][] inputs = new float[p][n];
        double[] exact = new double[n];
        for (int r = 0; r < p; r++) {
            for (int i = 0; i < n; i++) {
                inputs[r][i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
                exact[i] += inputs[r][i];
            }
        }
        List<float[]> results = run(inputs, partnerLists(p), new long[p], null);
        for (int r = 1; r < p; r++) {
            assertArrayEquals(results.get(0), results.get(r), "member " + r + " has member 0's bits");
        }
        for (int i = 0; i < n; i++) {
            double magnitude = 0;
            for (int r = 0; r < p; r++) {
                magnitude += Math.abs(inputs[r][i]);
            }
            // log2 P additions, each rounding once: |error| <= log2 P * 2^-24 * sum of |values|
            assertEquals(exact[i], results.get(0)[i], 3 * Math.ulp(1.0f) / 2 * magnitude + 1e-30, "element " + i);
        }
    }

    @Test
    void theHookGetsThisMembersCompleteSegmentAndItsChangesReachEveryone() throws Exception {
        int p = 4;
        int n = 11;
        float[][] inputs = new float[p][n];
        for (int r = 0; r < p; r++) {
            for (int i = 0; i < n; i++) {
                inputs[r][i] = i; // sum 4 i
            }
        }
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        List<float[]> results = run(inputs, partnerLists(p), new long[p], position -> segment -> {
            long from = HalvingDoublingAllReduce.segmentStart(n, p, position);
            long to = position + 1 == p ? n : HalvingDoublingAllReduce.segmentStart(n, p, position + 1);
            assertEquals(to - from, segment.remaining(), "member " + position + "'s segment");
            for (int i = 0; i < segment.remaining(); i++) {
                assertEquals(4 * (from + i), segment.get(i), 0, "complete before the hook");
                segment.put(i, segment.get(i) * 10); // e.g. summed across replica groups
            }
            seen.add(position + ":" + from + "-" + to);
        });
        assertEquals(p, seen.size(), seen.toString());
        for (int r = 0; r < p; r++) {
            for (int i = 0; i < n; i++) {
                assertEquals(40f * i, results.get(r)[i], 0, "member " + r + " element " + i);
            }
        }
        // the binary split of 11: [0, 5) -> [0, 2), [2, 5); [5, 11) -> [5, 8), [8, 11)
        assertEquals(List.of(0L, 2L, 5L, 8L), List.of(HalvingDoublingAllReduce.segmentStart(n, p, 0),
                HalvingDoublingAllReduce.segmentStart(n, p, 1), HalvingDoublingAllReduce.segmentStart(n, p, 2),
                HalvingDoublingAllReduce.segmentStart(n, p, 3)));
    }

    @Test
    void onlyPowersOfTwo() {
        assertTrue(HalvingDoublingAllReduce.applies(2) && HalvingDoublingAllReduce.applies(1024));
        assertFalse(HalvingDoublingAllReduce.applies(1) || HalvingDoublingAllReduce.applies(6)
                || HalvingDoublingAllReduce.applies(12));
        assertThrows(IllegalArgumentException.class, () -> HalvingDoublingAllReduce.allReduce(
                ByteBuffer.allocateDirect(8), 6, 0, null, (partner, out, in, step) -> { }, "test"));
    }
}
