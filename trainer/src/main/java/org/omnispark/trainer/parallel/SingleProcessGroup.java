package org.omnispark.trainer.parallel;

import ai.djl.ndarray.NDArray;

/** The trivial {@link ProcessGroup}: one rank, whose collectives return their input. */
public final class SingleProcessGroup implements ProcessGroup {

    /** The one instance. */
    public static final SingleProcessGroup INSTANCE = new SingleProcessGroup();

    private SingleProcessGroup() {}

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public long[] allGather(long[] local, String phase) {
        return local.clone();
    }

    @Override
    public void allReduceSum(NDArray values, String phase) {
        // one rank: the sum is the value
    }

    @Override
    public NDArray allToAll(NDArray rows, long[] inputSplits, long[] outputSplits, String phase) {
        if (inputSplits.length != 1 || outputSplits.length != 1 || inputSplits[0] != outputSplits[0]) {
            throw new IllegalArgumentException("one rank sends its rows to itself: splits must be [n] and [n], got "
                    + java.util.Arrays.toString(inputSplits) + " and " + java.util.Arrays.toString(outputSplits));
        }
        return rows.stopGradient();
    }

    @Override
    public String toString() {
        return "SingleProcessGroup";
    }
}
