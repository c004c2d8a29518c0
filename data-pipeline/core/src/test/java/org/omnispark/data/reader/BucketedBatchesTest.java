package org.omnispark.data.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The batch cutter {@link BucketedBatches#cut}; the streaming iterator is covered on a real dataset elsewhere. */
class BucketedBatchesTest {
    private static Utterance utt(String key, int frames) {
        return new Utterance(key, new float[frames], frames, 1, new int[0], "", frames / 100.0);
    }

    private static List<Utterance> utts(int... frames) {
        List<Utterance> list = new ArrayList<>();
        for (int i = 0; i < frames.length; i++) {
            list.add(utt("u" + i, frames[i]));
        }
        return list;
    }

    private static List<List<Integer>> frames(List<List<Utterance>> batches) {
        return batches.stream().map(b -> b.stream().map(Utterance::numFrames).toList()).toList();
    }

    @Test
    void frameBudgetHandComputed() {
        // padded = longest x size. 10:10, 20:40, 30:90, +40 -> 160 > 100 cut; 40:40, +50 -> 50x2 = 100 <= 100.
        List<List<Utterance>> b = BucketedBatches.cut(utts(10, 20, 30, 40, 50), 100, 10);
        assertEquals(List.of(List.of(10, 20, 30), List.of(40, 50)), frames(b));
    }

    @Test
    void batchSizeLimit() {
        List<List<Utterance>> b = BucketedBatches.cut(utts(10, 20, 30, 40, 50), 1_000_000, 2);
        assertEquals(List.of(List.of(10, 20), List.of(30, 40), List.of(50)), frames(b));
    }

    @Test
    void utteranceLongerThanBudgetIsABatchAlone() {
        assertEquals(List.of(List.of(10, 20), List.of(150)), frames(BucketedBatches.cut(utts(10, 20, 150), 100, 8)));
        assertEquals(List.of(List.of(150), List.of(160)), frames(BucketedBatches.cut(utts(150, 160), 100, 8)));
        assertEquals(List.of(List.of(150)), frames(BucketedBatches.cut(utts(150), 100, 8)));
    }

    @Test
    void unsortedInputStillRespectsTheBudget() {
        // 5:5, +150 -> 150x2 = 300 > 100 cut; [150]; +5 -> longest stays 150: 300 > 100 cut; [5].
        assertEquals(List.of(List.of(5), List.of(150), List.of(5)),
                frames(BucketedBatches.cut(utts(5, 150, 5), 100, 8)));
    }

    @Test
    void emptyInputGivesNoBatches() {
        assertTrue(BucketedBatches.cut(List.of(), 100, 8).isEmpty());
    }

    @Test
    void randomWindowsRespectBudgetsPreserveOrderAndAreGreedy() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int maxFrames = 500 + rnd.nextInt(5000);
            int maxSize = 1 + rnd.nextInt(40);
            List<Utterance> window = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                window.add(utt("k" + i, 1 + rnd.nextInt(2000)));
            }
            window.sort(Comparator.comparingInt(Utterance::numFrames).thenComparing(Utterance::key));
            List<List<Utterance>> batches = BucketedBatches.cut(window, maxFrames, maxSize);

            List<Utterance> flat = new ArrayList<>();
            batches.forEach(flat::addAll);
            assertEquals(window, flat, "trial " + trial + ": batches concatenate back to the input, in order");
            for (int i = 0; i < batches.size(); i++) {
                List<Utterance> b = batches.get(i);
                int longest = b.stream().mapToInt(Utterance::numFrames).max().orElseThrow();
                long padded = (long) longest * b.size();
                assertTrue(!b.isEmpty() && b.size() <= maxSize, "trial " + trial + " batch " + i + " size "
                        + b.size() + " > " + maxSize);
                assertTrue(b.size() == 1 || padded <= maxFrames, "trial " + trial + " batch " + i + ": "
                        + longest + " x " + b.size() + " = " + padded + " > " + maxFrames);
                if (i + 1 < batches.size()) {
                    // Greedy: the next batch's first utterance would not have fit here.
                    int next = batches.get(i + 1).get(0).numFrames();
                    long grown = (long) Math.max(longest, next) * (b.size() + 1);
                    assertTrue(b.size() == maxSize || grown > maxFrames, "trial " + trial + " batch " + i
                            + " closed early: " + Math.max(longest, next) + " x " + (b.size() + 1) + " = " + grown
                            + " <= " + maxFrames);
                }
            }
        }
    }

    @Test
    void builderNeedsDatasetAndPositiveBudgets() {
        assertThrows(IllegalStateException.class, () -> BucketedBatches.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> BucketedBatches.builder().setDataset(Path.of("x")).optMaxBatchSize(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> BucketedBatches.builder().setDataset(Path.of("x")).optMaxFramesPerBatch(0).build());
    }
}
