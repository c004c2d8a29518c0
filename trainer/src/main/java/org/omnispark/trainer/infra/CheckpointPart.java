package org.omnispark.trainer.infra;

/**
 * What one rank reports after writing its part of a checkpoint: the lengths rank 0 records in the commit marker and
 * readers check.
 *
 * @param rank the rank that wrote {@code part-<rank>.bin} and {@code part-<rank>.json}
 * @param binLength bytes of the tensor file
 * @param indexLength bytes of the part index
 * @param indexCrc32c the CRC32C of the part index
 */
public record CheckpointPart(int rank, long binLength, long indexLength, long indexCrc32c) {

    /** @return the receipt as three longs (for an all-gather) */
    public long[] toLongs() {
        return new long[] {binLength, indexLength, indexCrc32c};
    }

    /**
     * @param rank the rank the values came from
     * @param all an all-gather of {@link #toLongs()} from every rank, in rank order
     * @return that rank's receipt
     */
    public static CheckpointPart fromLongs(int rank, long[] all) {
        return new CheckpointPart(rank, all[3 * rank], all[3 * rank + 1], all[3 * rank + 2]);
    }
}
