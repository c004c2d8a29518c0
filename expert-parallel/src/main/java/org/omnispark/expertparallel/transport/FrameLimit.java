package org.omnispark.expertparallel.transport;

/**
 * The largest frame payload a rank sends or receives ({@link MeshOptions#maxFrameBytes}, from the job's
 * configuration). Split counts come from peers (an all-gather of routing counts); every size derived from them is
 * checked here, with exact arithmetic, before anything is allocated for it.
 */
public final class FrameLimit {

    private final int rank;
    private final long maxBytes;

    FrameLimit(int rank, long maxBytes) {
        this.rank = rank;
        this.maxBytes = maxBytes;
    }

    /** @return the limit in bytes */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Checks one frame's size.
     *
     * @param peer the world rank the frame goes to or comes from
     * @param receiving whether this rank receives it (the size came from the peer) or sends it
     * @param rows rows (or values)
     * @param columns values per row
     * @param valueBytes bytes per value
     * @param phase who exchanges what, for the message
     * @return the payload bytes
     * @throws TransportException caused by a {@link ProtocolException} naming the peer and the limit, for a negative
     *     count or a frame over the limit (an overflowing product included)
     */
    public long check(int peer, boolean receiving, long rows, long columns, int valueBytes, String phase) {
        String frame = "a frame of " + rows + " x " + columns + " values " + (receiving ? "from" : "to") + " rank "
                + peer + " in " + phase;
        if (rows < 0 || columns < 0) {
            throw refuse("rank " + rank + ": " + frame + " has a negative size: "
                    + (receiving ? "the peer's split counts are corrupt" : "this rank's split counts are corrupt"));
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Math.multiplyExact(rows, columns), (long) valueBytes);
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > maxBytes) {
            throw refuse("rank " + rank + ": " + frame + " would be " + (bytes == Long.MAX_VALUE ? "over 2^63"
                    : Long.toString(bytes)) + " bytes, over the limit of " + maxBytes + " bytes "
                    + "(expert_parallel.max_frame_mb); " + (receiving ? "the peer's split counts are corrupt, or "
                    : "") + "raise expert_parallel.max_frame_mb if a batch really needs frames this large");
        }
        return bytes;
    }

    /** {@link #check(int, boolean, long, long, int, String)} for a frame description. */
    long check(int peer, boolean receiving, Frames.Expect frame, String phase) {
        return check(peer, receiving, frame.rows(), frame.columns(), frame.dtype().bytes(), phase);
    }

    /**
     * The sum of split counts, exactly.
     *
     * @param counts rows per peer
     * @param peers the world rank of each entry
     * @param phase for the message
     * @return the sum
     * @throws TransportException caused by a {@link ProtocolException} when a count is negative or the sum overflows
     */
    public long sum(long[] counts, int[] peers, String phase) {
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw refuse("rank " + rank + ": rank " + peers[i] + " has a split of " + counts[i] + " rows in "
                        + phase + ": the split counts are corrupt");
            }
            try {
                total = Math.addExact(total, counts[i]);
            } catch (ArithmeticException e) {
                throw refuse("rank " + rank + ": the split counts in " + phase + " overflow a long at rank "
                        + peers[i] + " (" + counts[i] + " rows): the split counts are corrupt");
            }
        }
        return total;
    }

    private static TransportException refuse(String message) {
        return new TransportException("ProtocolException: " + message, new ProtocolException(message));
    }
}
