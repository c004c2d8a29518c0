package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.omnispark.trainer.moe.FeedForwardSpec;
import org.omnispark.trainer.moe.FfnActivation;
import org.omnispark.trainer.moe.GateWeight;
import org.omnispark.trainer.moe.MoeRouting;
import org.omnispark.trainer.moe.RouterSpec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Appending padding frames (filled with large garbage) to a sequence, and batching it with a longer one, must not
 * change its valid output frames: the attention masks padding keys, the convolution module zeroes padding frames, and
 * MoE routing skips padding tokens. Float64, tolerance 1e-9.
 */
class PaddingInvarianceTest {

    @ParameterizedTest(name = "{0} moe={1} chunk={2}")
    @CsvSource({"CONFORMER, false, 0", "CONFORMER, true, 0", "CONFORMER, false, 2", "TRANSFORMER, true, 0",
        "TRANSFORMER, false, 3"})
    void validFramesIgnorePadding(EncoderType type, boolean moe, int chunk) {
        try (NDManager m = EncoderTestSupport.newManager()) {
            JniUtils.setGradMode(false);
            int d = 16;
            EncoderSpec config = EncoderSpec.builder().setType(type).setInputDim(20).setOutputDim(d)
                    .optAttentionHeads(2).optLinearUnits(32).optNumBlocks(2).optCnnKernel(5)
                    .optDropout(0, 0, 0).optDataType(DataType.FLOAT64).optSeed(11).build();
            FeedForwardFactory ff = null;
            if (moe) {
                FeedForwardSpec expert = FeedForwardSpec.builder().setModelDim(d).setFfnDim(24)
                        .optActivation(FfnActivation.SWISH).optDataType(DataType.FLOAT64).build();
                GateWeight gate = GateWeight.create(m, "router.gate", d, 4, DataType.FLOAT64, 5);
                ff = FeedForwardFactory.moe(expert, MoeRouting.shared(gate),
                        RouterSpec.builder().optTopK(2).build(), false);
            }
            BaseEncoder encoder = BaseEncoder.create(m, config, ff, null);
            ChunkMasks.Choice choice = chunk > 0 ? new ChunkMasks.Choice(chunk, -1) : ChunkMasks.Choice.FULL;

            int shortLength = 27; // ((27-1)/2-1)/2 = 6 output frames
            int longLength = 43; // ((43-1)/2-1)/2 = 10 output frames
            NDArray shortSeq = EncoderTestSupport.randn(m, new Shape(1, shortLength, 20), 1, DataType.FLOAT64);
            NDArray longSeq = EncoderTestSupport.randn(m, new Shape(1, longLength, 20), 2, DataType.FLOAT64);
            NDArray garbage = EncoderTestSupport.randn(m, new Shape(1, longLength - shortLength, 20), 3,
                    DataType.FLOAT64).mul(100);
            NDArray alone = encoder.forward(shortSeq, new int[] {shortLength}, choice, false).output();
            NDArray batch = longSeq.concat(shortSeq.concat(garbage, 1), 0); // [2, 43, 20]
            EncoderOutput batched = encoder.forward(batch, new int[] {longLength, shortLength}, choice, false);

            assertArrayEquals(new int[] {10, 6}, batched.outputLengths(), "((43-1)/2-1)/2 = 10, ((27-1)/2-1)/2 = 6");
            double[] expected = EncoderTestSupport.values(alone);
            double[] actual = EncoderTestSupport.values(batched.output().get(new NDIndex("1, 0:6, :")));
            double diff = EncoderTestSupport.maxAbsDiff(expected, actual);
            assertTrue(diff < 1e-9, "valid frames changed by padding: max diff " + diff);
            double[] longAlone = EncoderTestSupport.values(
                    encoder.forward(longSeq, new int[] {longLength}, choice, false).output());
            double longDiff = EncoderTestSupport.maxAbsDiff(longAlone,
                    EncoderTestSupport.values(batched.output().get(new NDIndex("0"))));
            assertTrue(longDiff < 1e-9, "the long sequence changed when batched: max diff " + longDiff);
            if (moe) {
                // padding frames are not routed: 2 layers x blocks x top-2 choices over 10 + 6 valid frames only
                long routed = batched.moeOutputs().stream()
                        .mapToLong(o -> Arrays.stream(o.tokensPerExpert()).sum()).sum();
                int blocks = batched.moeOutputs().size();
                assertTrue(routed == (long) blocks * 2 * 16,
                        "routed assignments " + routed + " != blocks " + blocks + " * 2 * 16 valid frames");
            }
        }
    }
}
