package org.omnispark.expertparallel.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.omnispark.data.reader.Utterance;
import org.omnispark.trainer.loop.BatchSource;

/**
 * A batch source whose rank {@code failingRank} throws when asked for its {@code failAt}-th batch in the stage's FIRST
 * attempt: a rank that dies mid-training, after some checkpoints, so the retried stage must resume from one.
 */
final class FailingOnce implements BatchSource, Serializable {

    private static final long serialVersionUID = 1L;

    private final BatchSource inner;
    private final int failingRank;
    private final int failAt;
    private final String armFile;

    /** Fails in the first attempt of every stage. */
    FailingOnce(BatchSource inner, int failingRank, int failAt) {
        this(inner, failingRank, failAt, null);
    }

    /** Fails once while {@code armFile} exists (deleting it), whatever the job or stage attempt. */
    FailingOnce(BatchSource inner, int failingRank, int failAt, java.nio.file.Path armFile) {
        this.inner = inner;
        this.failingRank = failingRank;
        this.failAt = failAt;
        this.armFile = armFile == null ? null : armFile.toString();
    }

    @Override
    public Iterator<List<Utterance>> batches(int epoch, int rank, int worldSize) {
        Iterator<List<Utterance>> batches = inner.batches(epoch, rank, worldSize);
        boolean fail = rank == failingRank && TaskContext.get() != null && (armFile == null
                ? TaskContext.get().stageAttemptNumber() == 0 : new java.io.File(armFile).delete());
        return new Iterator<>() {
            private int served;

            @Override
            public boolean hasNext() {
                return batches.hasNext();
            }

            @Override
            public List<Utterance> next() {
                if (fail && ++served == failAt) {
                    throw new IllegalStateException("injected failure of rank " + rank + " at its batch " + failAt);
                }
                return batches.next();
            }
        };
    }
}
