package org.omnispark.trainer.loop;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardAssignment;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.config.TrainConfig;

/**
 * The batches a {@link Trainer} reads unless a source is plugged in: a rank's shards of the epoch
 * ({@link ShardAssignment}), cut by {@link BucketedBatches} within the rank's share of the global {@code batch.*}
 * limits ({@link TrainConfig.Batch#perRank}).
 *
 * <p>An epoch that began on N ranks and is resumed on M: the epoch is what its first part's ranks would read (the
 * shards active for N). What each earlier part consumed is derived again from the same deterministic streams (its
 * ranks' first {@code b} batches); the rest, those shards' other utterances, is dealt to the M ranks shard by shard
 * (shard i of the active list to rank i mod M), so each utterance is served once.
 */
final class BucketedBatchSource implements BatchSource, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final String trainData;
    private final org.omnispark.data.job.HadoopConf conf;
    private final TrainConfig.Batch limits;
    private final long seed;

    BucketedBatchSource(org.omnispark.io.Location trainData, TrainConfig config,
            org.apache.hadoop.conf.Configuration conf) {
        this.trainData = trainData.toString();
        this.conf = new org.omnispark.data.job.HadoopConf(conf);
        this.limits = config.batch();
        this.seed = config.seed();
    }

    @Override
    public Iterator<List<Utterance>> batches(int epoch, int rank, int worldSize) {
        return builder(epoch, rank, worldSize).build().iterator();
    }

    @Override
    public Iterator<List<Utterance>> rest(int epoch, int rank, int worldSize, List<List<Long>> history) {
        int firstRanks = history.get(0).get(0).intValue();
        List<String> active = ShardAssignment.activeShards(DatasetManifest.read(trainData, conf.get()).shards().stream().map(DatasetManifest.ShardInfo::path)
                .toList(), seed, epoch, firstRanks);
        Set<String> consumed = new HashSet<>();
        for (int part = 0; part < history.size(); part++) {
            int ranks = history.get(part).get(0).intValue();
            long batches = history.get(part).get(1);
            Set<String> before = Set.copyOf(consumed);
            for (int r = 0; r < ranks; r++) {
                Iterator<List<Utterance>> it = part == 0 ? batches(epoch, r, ranks)
                        : restOf(epoch, r, ranks, active, before);
                for (long b = 0; b < batches && it.hasNext(); b++) {
                    it.next().forEach(u -> consumed.add(u.key()));
                }
            }
        }
        return restOf(epoch, rank, worldSize, active, consumed);
    }

    private Iterator<List<Utterance>> restOf(int epoch, int rank, int worldSize, List<String> active,
            Set<String> consumed) {
        List<String> mine = new ArrayList<>();
        for (int i = rank; i < active.size(); i += worldSize) {
            mine.add(active.get(i));
        }
        return builder(epoch, rank, worldSize).optShards(mine).optExclude(consumed).build().iterator();
    }

    private BucketedBatches.Builder builder(int epoch, int rank, int worldSize) {
        TrainConfig.Batch share = limits.perRank(worldSize);
        return BucketedBatches.builder().setDataset(trainData).optConfiguration(conf.get()).optSeed(seed).optEpoch(epoch)
                .optRank(rank, worldSize).optMaxFramesPerBatch(share.maxFramesPerBatch())
                .optMaxBatchSize(share.maxBatchSize());
    }
}
