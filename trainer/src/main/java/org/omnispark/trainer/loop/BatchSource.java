package org.omnispark.trainer.loop;

import java.util.Iterator;
import java.util.List;
import org.omnispark.data.reader.Utterance;

/**
 * Where a rank's micro-batches come from, epoch by epoch. The default reads the rank's share of the dataset's shards
 * with {@code BucketedBatches} (seeded by the train config's seed and the epoch); tests plug in fixed batches. The
 * same arguments must always give the same batches: a resumed run skips the ones consumed before its checkpoint.
 */
@FunctionalInterface
public interface BatchSource {

    /**
     * @param epoch the epoch, from 0
     * @param rank this rank
     * @param worldSize the number of ranks
     * @return this rank's micro-batches of that epoch
     */
    Iterator<List<Utterance>> batches(int epoch, int rank, int worldSize);
}
