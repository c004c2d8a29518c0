package org.omnispark.data.reader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.omnispark.io.HadoopConf;

/**
 * One rank's batches for one epoch, streamed from its shards ({@link ShardAssignment}) without Spark.
 *
 * <p>Rows are read in windows of {@code windowSize} utterances; each window is sorted by frame count and cut into
 * batches whose padded size ({@code max frames x batch size}) stays within {@code maxFramesPerBatch} and whose
 * size stays within {@code maxBatchSize}, so similar lengths share a batch (little padding). The batches of a
 * window come out in an order shuffled by (seed, epoch, rank, window); the shard order is shuffled per epoch.
 * The same arguments always give the same batches.
 */
public final class BucketedBatches implements Iterable<List<Utterance>> {
    private final String datasetDir;
    private final HadoopConf conf;
    private final List<String> shards;
    private final long seed;
    private final int epoch;
    private final int rank;
    private final int maxFramesPerBatch;
    private final int maxBatchSize;
    private final int windowSize;
    private final java.util.Set<String> exclude;

    private BucketedBatches(Builder b) {
        this.datasetDir = b.datasetDir;
        this.conf = new HadoopConf(b.conf);
        this.shards = b.shards != null ? b.shards : ShardAssignment.forRank(DatasetManifest.read(b.datasetDir, b.conf)
                .shards().stream().map(DatasetManifest.ShardInfo::path).toList(), b.seed, b.epoch, b.rank,
                b.worldSize);
        this.exclude = b.exclude;
        this.seed = b.seed;
        this.epoch = b.epoch;
        this.rank = b.rank;
        this.maxFramesPerBatch = b.maxFramesPerBatch;
        this.maxBatchSize = b.maxBatchSize;
        this.windowSize = b.windowSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The shards this rank reads this epoch. */
    public List<String> shards() {
        return shards;
    }

    @Override
    public Iterator<List<Utterance>> iterator() {
        return new BatchIterator();
    }

    /** Cuts length-sorted utterances into batches within the frame and size budgets. */
    static List<List<Utterance>> cut(List<Utterance> sorted, int maxFrames, int maxSize) {
        List<List<Utterance>> batches = new ArrayList<>();
        List<Utterance> current = new ArrayList<>();
        int longest = 0;
        for (Utterance u : sorted) {
            int newLongest = Math.max(longest, u.numFrames());
            if (!current.isEmpty() && ((long) newLongest * (current.size() + 1) > maxFrames
                    || current.size() >= maxSize)) {
                batches.add(current);
                current = new ArrayList<>();
                newLongest = u.numFrames();
            }
            current.add(u);
            longest = newLongest;
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    private final class BatchIterator implements Iterator<List<Utterance>> {
        private int shardIndex = 0;
        private ShardReader reader;
        private final List<List<Utterance>> pending = new ArrayList<>();
        private int windowIndex = 0;

        @Override
        public boolean hasNext() {
            while (pending.isEmpty()) {
                List<Utterance> window = readWindow();
                if (window.isEmpty()) {
                    return false;
                }
                window.sort(Comparator.comparingInt(Utterance::numFrames).thenComparing(Utterance::key));
                List<List<Utterance>> batches = cut(window, maxFramesPerBatch, maxBatchSize);
                Collections.shuffle(batches, new Random(ShardAssignment.mix(ShardAssignment.mix(seed, epoch),
                        ((long) rank << 32) + windowIndex++)));
                pending.addAll(batches);
            }
            return true;
        }

        @Override
        public List<Utterance> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return pending.remove(pending.size() - 1);
        }

        private List<Utterance> readWindow() {
            List<Utterance> window = new ArrayList<>(windowSize);
            while (window.size() < windowSize) {
                if (reader == null) {
                    if (shardIndex >= shards.size()) {
                        break;
                    }
                    reader = ShardReader.open(new org.apache.hadoop.fs.Path(datasetDir, shards.get(shardIndex++))
                            .toString(), conf.get());
                }
                if (reader.hasNext()) {
                    Utterance u = reader.next();
                    if (!exclude.contains(u.key())) {
                        window.add(u);
                    }
                } else {
                    reader.close();
                    reader = null;
                }
            }
            return window;
        }
    }

    /** Builder: setDataset is required; rank 0 of 1, epoch 0, seed 0 by default. */
    public static final class Builder {
        private String datasetDir;
        private Configuration conf = new Configuration();
        private long seed = 0;
        private int epoch = 0;
        private int rank = 0;
        private int worldSize = 1;
        private int maxFramesPerBatch = 20_000;
        private int maxBatchSize = 64;
        private int windowSize = 1024;
        private List<String> shards;
        private java.util.Set<String> exclude = java.util.Set.of();

        /**
         * Reads these shards (paths relative to the dataset folder, in this order) instead of the rank's share of
         * the epoch's permutation ({@link ShardAssignment}).
         */
        public Builder optShards(List<String> shards) {
            this.shards = List.copyOf(shards);
            return this;
        }

        /** Leaves out the utterances with these keys (e.g. those an earlier part of the epoch consumed). */
        public Builder optExclude(java.util.Set<String> keys) {
            this.exclude = keys;
            return this;
        }

        /** A dataset folder on the local disk. */
        public Builder setDataset(Path dir) {
            this.datasetDir = dir.toAbsolutePath().toUri().toString();
            return this;
        }

        /** A dataset folder on any Hadoop file system: hdfs://..., s3a://..., file:/... (see optConfiguration). */
        public Builder setDataset(String uri) {
            this.datasetDir = uri;
            return this;
        }

        /** The Hadoop configuration for the dataset's file system (default: a new Configuration()). */
        public Builder optConfiguration(Configuration conf) {
            this.conf = conf;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder optEpoch(int epoch) {
            this.epoch = epoch;
            return this;
        }

        /** This rank and the number of ranks. */
        public Builder optRank(int rank, int worldSize) {
            this.rank = rank;
            this.worldSize = worldSize;
            return this;
        }

        /** Padded frames (longest x batch size) per batch; an utterance longer than this is a batch alone. */
        public Builder optMaxFramesPerBatch(int frames) {
            this.maxFramesPerBatch = frames;
            return this;
        }

        public Builder optMaxBatchSize(int size) {
            this.maxBatchSize = size;
            return this;
        }

        /** Utterances read before bucketing and shuffling (memory vs randomness). */
        public Builder optWindowSize(int size) {
            this.windowSize = size;
            return this;
        }

        public BucketedBatches build() {
            if (datasetDir == null) {
                throw new IllegalStateException("BucketedBatches needs setDataset(dir)");
            }
            if (maxFramesPerBatch < 1 || maxBatchSize < 1 || windowSize < 1) {
                throw new IllegalArgumentException("maxFramesPerBatch, maxBatchSize and windowSize must be >= 1");
            }
            return new BucketedBatches(this);
        }
    }
}
