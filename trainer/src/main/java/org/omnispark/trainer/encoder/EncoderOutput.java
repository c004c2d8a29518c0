package org.omnispark.trainer.encoder;

import org.omnispark.trainer.moe.MoeOutput;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * What {@link BaseEncoder#forward} returns.
 *
 * @param output {@code [B, T', d]} (padding frames hold values; use the lengths)
 * @param outputLengths valid frames per sequence after subsampling
 * @param padMask boolean {@code [B, 1, T']}, true for real frames (for the CTC / decoder masks)
 * @param chunk the chunk choice used (drawn per batch in dynamic chunk training)
 * @param moeOutputs every MoE block's output in stack order (empty for dense): aux losses and routing decisions
 */
public record EncoderOutput(
        NDArray output, int[] outputLengths, NDArray padMask, ChunkMasks.Choice chunk, List<MoeOutput> moeOutputs) {

    /** Copies the list. */
    public EncoderOutput {
        moeOutputs = List.copyOf(moeOutputs);
    }

    /**
     * Sums the MoE auxiliary losses (load balancing + z-loss) of all blocks.
     *
     * @return a scalar in the output's manager (0 for a dense encoder)
     */
    public NDArray totalAuxLoss() {
        NDArray sum = output.getManager().zeros(new Shape(), output.getDataType());
        for (MoeOutput moe : moeOutputs) {
            sum = sum.add(moe.totalAuxLoss().toType(output.getDataType(), false));
        }
        return sum;
    }
}
