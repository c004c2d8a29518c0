package org.omnispark.expertparallel.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.omnispark.data.reader.BucketedBatches;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.loop.BatchSource;

/**
 * The same GLOBAL batches for a single-process run and an N-rank run: global batch i is utterances
 * {@code [i * B, (i + 1) * B)} of the dataset (in a fixed order); rank r of N gets its slice of {@code sizes[r]}
 * utterances (ranks in order), one process gets the whole batch. Serializable: it travels to the executors and reads
 * the dataset there.
 */
final class FixedBatches implements BatchSource, Serializable {

    private static final long serialVersionUID = 1L;

    private final String dataset;
    private final int[] sizes;
    private final int numBatches;

    FixedBatches(Path dataset, int[] sizes, int numBatches) {
        this.dataset = dataset.toAbsolutePath().toString();
        this.sizes = sizes.clone();
        this.numBatches = numBatches;
    }

    @Override
    public Iterator<List<Utterance>> batches(int epoch, int rank, int worldSize) {
        List<Utterance> all = new ArrayList<>();
        BucketedBatches.builder().setDataset(Path.of(dataset)).optSeed(1).optMaxBatchSize(1000)
                .optMaxFramesPerBatch(Integer.MAX_VALUE).build().forEach(all::addAll);
        all.sort(java.util.Comparator.comparing(Utterance::key));
        int global = java.util.Arrays.stream(sizes).sum();
        if (all.size() < global * numBatches) {
            throw new IllegalStateException("need " + global * numBatches + " utterances, the dataset has "
                    + all.size());
        }
        if (worldSize != 1 && worldSize != sizes.length) {
            throw new IllegalStateException("batches planned for " + sizes.length + " ranks, not " + worldSize);
        }
        int from = 0;
        for (int r = 0; r < rank; r++) {
            from += sizes[r];
        }
        int count = worldSize == 1 ? global : sizes[rank];
        List<List<Utterance>> batches = new ArrayList<>();
        for (int i = 0; i < numBatches; i++) {
            int start = i * global + (worldSize == 1 ? 0 : from);
            batches.add(List.copyOf(all.subList(start, start + count)));
        }
        return batches.iterator();
    }
}
