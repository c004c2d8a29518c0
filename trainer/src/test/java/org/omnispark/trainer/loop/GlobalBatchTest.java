package org.omnispark.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * {@code batch.*} limits are global (per optimizer micro-step, over all ranks): with N ranks, each rank's batches
 * keep within 1/N of them, so {@code train --ranks N} trains on as many samples per step as one process, and every
 * utterance of the epoch is still read exactly once over the ranks.
 */
class GlobalBatchTest {

    @Test
    void twoRanksShareTheGlobalBatchAndReadEachUtteranceOnce() {
        Path data = TinyDatasets.dataset(24, 2);
        TrainConfig config = TrainConfig.load(null, List.of("batch.max_frames_per_batch=4000",
                "batch.max_batch_size=6"));
        BatchSource source = Trainer.defaultBatchSource(data, config);

        Map<String, Integer> seen = new HashMap<>();
        List<Integer> oneProcessSizes = sizes(source.batches(0, 0, 1), seen, 6, 4000);
        assertEquals(24, seen.size());

        Map<String, Integer> seenByRanks = new HashMap<>();
        for (int rank = 0; rank < 2; rank++) {
            // ceil(6 / 2) = 3 utterances, 4000 / 2 = 2000 padded frames per rank
            sizes(source.batches(0, rank, 2), seenByRanks, 3, 2000);
        }
        assertEquals(seen.keySet(), seenByRanks.keySet(), "the two ranks together read the whole epoch");
        assertTrue(seenByRanks.values().stream().allMatch(c -> c == 1), "each utterance once: " + seenByRanks);
        assertTrue(oneProcessSizes.stream().anyMatch(s -> s > 3), "the global limit is used in one process");
    }

    @Test
    void perRankLimitsRoundUpAndNeverReachZero() {
        TrainConfig.Batch batch = new TrainConfig.Batch(4001, 5);
        assertEquals(new TrainConfig.Batch(2001, 3), batch.perRank(2));
        assertEquals(new TrainConfig.Batch(1, 1), new TrainConfig.Batch(3, 2).perRank(8));
        assertEquals(batch, batch.perRank(1));
    }

    private static List<Integer> sizes(Iterator<List<Utterance>> batches, Map<String, Integer> seen, int maxSize,
            int maxFrames) {
        List<Integer> sizes = new ArrayList<>();
        while (batches.hasNext()) {
            List<Utterance> b = batches.next();
            int longest = b.stream().mapToInt(Utterance::numFrames).max().orElse(0);
            assertTrue(b.size() <= maxSize, "batch of " + b.size() + " > " + maxSize);
            assertTrue(b.size() == 1 || (long) longest * b.size() <= maxFrames, "padded frames over " + maxFrames);
            b.forEach(u -> seen.merge(u.key(), 1, Integer::sum));
            sizes.add(b.size());
        }
        return sizes;
    }
}
