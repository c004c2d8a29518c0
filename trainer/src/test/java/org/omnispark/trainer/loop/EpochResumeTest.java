package org.omnispark.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.TinyDatasets;
import org.omnispark.trainer.infra.TrainingState;

/**
 * A checkpoint taken mid-epoch on N ranks, resumed on M: the resumed ranks read exactly the rest of the epoch, each
 * utterance once. Skipping "the same number of batches per rank" in the new ranks' streams (what the position meant
 * before it recorded its number of ranks) repeats some utterances and skips others; both are shown.
 */
class EpochResumeTest {
    private static final int EPOCH = 1;

    private static BatchSource source(Path data) {
        return Trainer.defaultBatchSource(data, TrainConfig.load(null, List.of("batch.max_batch_size=4",
                "batch.max_frames_per_batch=100000", "seed=5")));
    }

    /** Keys of the first {@code batches} batches of each of {@code ranks} ranks (all when negative). */
    private static Map<String, Integer> read(BatchSource s, int ranks, long batches, List<List<Long>> history) {
        Map<String, Integer> seen = new HashMap<>();
        for (int r = 0; r < ranks; r++) {
            Iterator<List<Utterance>> it = history.isEmpty() ? s.batches(EPOCH, r, ranks)
                    : s.rest(EPOCH, r, ranks, history);
            for (long b = 0; (batches < 0 || b < batches) && it.hasNext(); b++) {
                it.next().forEach(u -> seen.merge(u.key(), 1, Integer::sum));
            }
        }
        return seen;
    }

    private static void assertExactRest(Set<String> epoch, Map<String, Integer> before, Map<String, Integer> after) {
        Set<String> expected = new HashSet<>(epoch);
        expected.removeAll(before.keySet());
        assertEquals(expected, after.keySet(), "the rest of the epoch, nothing more, nothing less");
        assertTrue(after.values().stream().allMatch(c -> c == 1), "each once: " + after);
        assertTrue(before.values().stream().allMatch(c -> c == 1));
    }

    @Test
    void fourToTwoAndTwoToFourAndBackReadTheRestOfTheEpochOnce() {
        Path data = TinyDatasets.dataset(24, 4);
        BatchSource s = source(data);
        Set<String> epoch4 = read(s, 4, -1, List.of()).keySet();
        Set<String> epoch2 = read(s, 2, -1, List.of()).keySet();
        assertEquals(24, epoch4.size());
        assertEquals(24, epoch2.size());

        // 4 -> 2: two batches per rank on 4 ranks, then the rest on 2
        Map<String, Integer> first = read(s, 4, 2, List.of());
        Map<String, Integer> rest = read(s, 2, -1, List.of(List.of(4L, 2L)));
        assertExactRest(epoch4, first, rest);
        // what the old position meant: skip 2 batches per rank of the 2-rank streams
        Map<String, Integer> naive = new HashMap<>();
        Map<String, Integer> skipped = read(s, 2, 2, List.of());
        read(s, 2, -1, List.of()).forEach((k, v) -> {
            if (!skipped.containsKey(k)) {
                naive.put(k, v);
            }
        });
        Set<String> repeated = new HashSet<>(naive.keySet());
        repeated.retainAll(first.keySet());
        assertFalse(repeated.isEmpty(), "the old resume repeats utterances of the first part");

        // 2 -> 4: three batches per rank on 2 ranks, then the rest on 4
        Map<String, Integer> first2 = read(s, 2, 3, List.of());
        assertExactRest(epoch2, first2, read(s, 4, -1, List.of(List.of(2L, 3L))));

        // 4 -> 2 -> 4: one batch per rank on 4, one on 2, the rest on 4
        Map<String, Integer> a = read(s, 4, 1, List.of());
        Map<String, Integer> b = read(s, 2, 1, List.of(List.of(4L, 1L)));
        Map<String, Integer> ab = new HashMap<>(a);
        b.forEach((k, v) -> ab.merge(k, v, Integer::sum));
        assertEquals(a.size() + b.size(), ab.size(), "the second part reads nothing of the first");
        assertExactRest(epoch4, ab, read(s, 4, -1, List.of(List.of(4L, 1L), List.of(2L, 1L))));
    }

    @Test
    void theStateRecordsThePartsOfAnEpochRunOnOtherNumbersOfRanks() {
        TrainingState s = TrainingState.start(3).onRanks(4).afterStep(1).afterStep(1);
        assertEquals(4, s.worldSize());
        assertEquals(List.of(), s.onRanks(4).epochHistory(), "same ranks: the position stands");
        TrainingState on2 = s.onRanks(2);
        assertEquals(List.of(List.of(4L, 2L)), on2.epochHistory());
        assertEquals(0, on2.batchesInEpoch());
        assertEquals(s.step(), on2.step());
        assertEquals(List.of(), on2.afterStep(1).nextEpoch().epochHistory(), "a new epoch starts clean");
        TrainingState old = new TrainingState(7, 0, 5, 3, 5); // a checkpoint from before worldSize was recorded
        assertEquals(List.of(), old.onRanks(2).epochHistory());
        assertEquals(5, old.onRanks(2).batchesInEpoch());
    }
}
