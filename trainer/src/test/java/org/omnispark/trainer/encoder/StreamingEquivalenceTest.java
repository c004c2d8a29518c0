package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Streaming equals offline: {@code forwardChunkByChunk(xs, chunk, left)} must give the same frames as {@code
 * forward(xs, lengths, new Choice(chunk, left))} with the chunk attention mask (float32, tolerance 1e-5 absolute).
 * The input has 37 frames, so 4x subsampling gives 8 output frames and the last chunk is partial for chunk 3.
 */
class StreamingEquivalenceTest {

    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "{0} chunk={1} left={2}")
    @CsvSource({"CONFORMER, 3, -1", "CONFORMER, 2, 1", "CONFORMER, 1, 2", "TRANSFORMER, 3, -1",
        "TRANSFORMER, 2, 1"})
    void chunkByChunkEqualsChunkMaskedForward(EncoderType type, int chunk, int left) {
        try (NDManager m = EncoderTestSupport.newManager()) {
            JniUtils.setGradMode(false);
            EncoderSpec config = EncoderSpec.builder().setType(type).setInputDim(20).setOutputDim(16)
                    .optAttentionHeads(2).optLinearUnits(32).optNumBlocks(2).optCnnKernel(5).optCausal(true)
                    .optDropout(0, 0, 0).optSeed(7).build();
            BaseEncoder encoder = BaseEncoder.create(m, config, null, null);
            NDArray xs = EncoderTestSupport.randn(m, new Shape(2, 37, 20), 3, DataType.FLOAT32); // [B, T, F]

            EncoderOutput offline = encoder.forward(xs, new int[] {37, 37}, new ChunkMasks.Choice(chunk, left), false);
            NDArray streamed = encoder.forwardChunkByChunk(xs, chunk, left);

            assertEquals(new Shape(2, 8, 16), offline.output().getShape(), "offline shape: ((37-1)/2-1)/2 = 8");
            assertEquals(offline.output().getShape(), streamed.getShape(), "streamed shape");
            double diff = EncoderTestSupport.maxAbsDiff(
                    EncoderTestSupport.values(offline.output()), EncoderTestSupport.values(streamed));
            assertTrue(diff <= TOLERANCE, "max |offline - streamed| = " + diff + " > " + TOLERANCE);

            // and the chunk mask matters: full context gives different frames (so the equality is not trivial)
            EncoderOutput full = encoder.forward(xs, new int[] {37, 37}, ChunkMasks.Choice.FULL, false);
            double fullDiff = EncoderTestSupport.maxAbsDiff(
                    EncoderTestSupport.values(full.output()), EncoderTestSupport.values(streamed));
            assertTrue(fullDiff > 1e-3, "full context should differ from chunked, max diff " + fullDiff);
        }
    }

    @ParameterizedTest
    @CsvSource({"3"})
    void nonCausalConformerRefusesToStream(int chunk) {
        try (NDManager m = EncoderTestSupport.newManager()) {
            EncoderSpec config = EncoderSpec.builder().setType(EncoderType.CONFORMER).setInputDim(20)
                    .setOutputDim(16).optAttentionHeads(2).optLinearUnits(32).optNumBlocks(1).optCnnKernel(5)
                    .build();
            BaseEncoder encoder = BaseEncoder.create(m, config, null, null);
            NDArray xs = EncoderTestSupport.randn(m, new Shape(1, 37, 20), 3, DataType.FLOAT32);
            assertThrows(IllegalStateException.class, () -> encoder.forwardChunkByChunk(xs, chunk, -1));
        }
    }
}
