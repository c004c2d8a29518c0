package org.omnispark.data.job;

import java.util.ArrayList;
import java.util.List;
import org.omnispark.data.reader.DatasetManifest;

/**
 * The shards of a run from its {@link ShardOutcome}s: the non-empty shard files in order, the totals and the global
 * CMVN statistics (exact sums, so the same data gives the same bits however the work was split or resumed).
 *
 * @param shards shard files (relative paths) with rows, frames and hours
 * @param totals totals over all shards
 * @param cmvn global CMVN statistics
 * @param originalRows rows that are not speed-perturbed copies
 */
record ShardsSummary(List<DatasetManifest.ShardInfo> shards, DatasetManifest.Totals totals,
                     DatasetManifest.Cmvn cmvn, long originalRows) {

    /** Sums the outcomes (sorted by shard index). */
    static ShardsSummary of(List<ShardOutcome> outcomes) {
        List<DatasetManifest.ShardInfo> shards = new ArrayList<>();
        ShardTotals t = new ShardTotals();
        for (ShardOutcome o : outcomes) {
            if (o.file() == null) {
                continue; // every row of the shard was rejected
            }
            shards.add(new DatasetManifest.ShardInfo(o.file(), o.rows(), o.frames(), o.seconds() / 3600.0));
            t.addShard(o);
        }
        return new ShardsSummary(shards, new DatasetManifest.Totals(t.rows, t.frames, t.seconds / 3600.0),
                new DatasetManifest.Cmvn(t.sum.values(), t.sumSquares.values(), t.frames), t.originals);
    }
}
