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

    /**
     * The rest of an epoch that began on other numbers of ranks: every utterance of the epoch (as its first part's
     * ranks would have read it) that the earlier parts did not consume, each served to exactly one of this part's
     * ranks.
     *
     * @param epoch the epoch, from 0
     * @param rank this rank
     * @param worldSize the number of ranks now
     * @param history the earlier parts, oldest first: {@code [ranks, batches per rank]} each
     * @return this rank's micro-batches of the rest of the epoch
     */
    default Iterator<List<Utterance>> rest(int epoch, int rank, int worldSize, List<List<Long>> history) {
        throw new UnsupportedOperationException("this batch source cannot continue an epoch begun on "
                + history.get(0).get(0) + " ranks on " + worldSize + ": resume on " + history.get(0).get(0)
                + " ranks, or from a checkpoint taken at an epoch boundary (checkpoint.interval: 0)");
    }
}
