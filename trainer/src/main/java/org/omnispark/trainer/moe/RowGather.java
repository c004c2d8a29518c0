package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Row gathers of the token permutation, {@code out[i] = source[index[i]]}, through libtorch's embedding lookup: an
 * index_select whose backward is one parallel scatter-add, about twice as fast on CPU (forward + backward, measured
 * at [4096, 256] and [800, 128]) as DJL's advanced indexing {@code source.get(indexArray)}, whose backward is an
 * accumulating index_put.
 */
public final class RowGather {

    private RowGather() {}

    /**
     * Gathers rows.
     *
     * @param source {@code [N, d]}
     * @param index row numbers in {@code [0, N)}, any length M
     * @return {@code [M, d]} in source's manager, differentiable w.r.t. source
     */
    public static NDArray rows(NDArray source, long[] index) {
        NDArray indices = source.getManager().create(index); // [M] int64
        return JniUtils.embedding((PtNDArray) indices, (PtNDArray) source, false);
    }
}
