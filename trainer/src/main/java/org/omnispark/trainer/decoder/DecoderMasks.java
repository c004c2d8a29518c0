package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.omnispark.trainer.nn.HostSyncs;

/** Attention masks of the decoder (true = may attend), built on the device from lengths. */
public final class DecoderMasks {

    private DecoderMasks() {}

    /**
     * Self-attention mask: key position j is visible from query i when j &lt;= i and j &lt; length.
     *
     * @param lengths {@code [B]} integer
     * @param maxLength L
     * @return boolean {@code [B, L, L]}
     */
    public static NDArray causal(NDArray lengths, long maxLength) {
        NDArray positions = lengths.getManager().arange(0, maxLength, 1, DataType.INT64); // [L]
        NDArray keyValid = positions.expandDims(0).lt(lengths.toType(DataType.INT64, false).expandDims(1)); // [B, L]
        NDArray lowerTriangle = positions.expandDims(0).lte(positions.expandDims(1)); // [L, L]: [i][j] = j <= i
        return keyValid.expandDims(1).logicalAnd(lowerTriangle.expandDims(0)); // [B, L, L]
    }

    /**
     * Padding mask of the encoder output.
     *
     * @param lengths {@code [B]} integer
     * @param maxLength T
     * @return boolean {@code [B, 1, T]}
     */
    public static NDArray padding(NDArray lengths, long maxLength) {
        NDArray positions = lengths.getManager().arange(0, maxLength, 1, DataType.INT64); // [T]
        return positions.expandDims(0).lt(lengths.toType(DataType.INT64, false).expandDims(1)).expandDims(1);
    }

    /**
     * Host flags of real positions, row-major {@code B * L} (for MoE routing).
     *
     * @param lengths {@code [B]} integer
     * @param maxLength L
     * @return the flags
     */
    public static boolean[] validFlags(NDArray lengths, long maxLength) {
        long[] host = HostSyncs.longs(lengths, HostSyncs.Kind.TARGETS);
        boolean[] flags = new boolean[Math.toIntExact(host.length * maxLength)];
        for (int b = 0; b < host.length; b++) {
            for (int t = 0; t < maxLength && t < host[b]; t++) {
                flags[(int) (b * maxLength + t)] = true;
            }
        }
        return flags;
    }
}
