package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.omnispark.trainer.nn.RelPositionalEncoding;

/** Output lengths (hand-computed) and the locality that chunk-by-chunk decoding relies on. */
class Conv2dSubsamplingTest {

    private static Conv2dSubsampling make(NDManager m, Conv2dSubsampling.Rate rate) {
        return new Conv2dSubsampling(m, "embed", rate, 20, 8,
                new RelPositionalEncoding(m, 8, 0.0, 500, DataType.FLOAT32), DataType.FLOAT32, 3);
    }

    @Test
    void outputLengthsMatchTheFormulas() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            Conv2dSubsampling x4 = make(m, Conv2dSubsampling.Rate.X4);
            // ((L-1)//2 - 1)//2: L=7 -> (3-1)//2 = 1; L=10 -> (4-1)//2 = 1; L=11 -> (5-1)//2 = 2; L=100 -> (49-1)//2 = 24
            assertEquals(1, x4.outputLength(7));
            assertEquals(1, x4.outputLength(10));
            assertEquals(2, x4.outputLength(11));
            assertEquals(24, x4.outputLength(100));
            assertEquals(0, x4.outputLength(6), "6 frames are fewer than the 7 one output needs");
            Conv2dSubsampling x6 = make(m, Conv2dSubsampling.Rate.X6);
            // ((L-1)//2 - 2)//3: L=11 -> (5-2)//3 = 1; L=100 -> (49-2)//3 = 15
            assertEquals(1, x6.outputLength(11));
            assertEquals(15, x6.outputLength(100));
            Conv2dSubsampling x8 = make(m, Conv2dSubsampling.Rate.X8);
            // (((L-1)//2 - 1)//2 - 1)//2: L=15 -> ((7-1)//2-1)//2 = 1; L=100 -> ((49-1)//2 - 1)//2 = 11
            assertEquals(1, x8.outputLength(15));
            assertEquals(11, x8.outputLength(100));
            assertEquals(6, x4.rightContext());
            assertEquals(10, x6.rightContext());
            assertEquals(14, x8.rightContext());
        }
    }

    @Test
    void forwardShapesAgreeWithOutputLength() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            for (Conv2dSubsampling.Rate rate : Conv2dSubsampling.Rate.values()) {
                Conv2dSubsampling sub = make(m, rate);
                for (int length : new int[] {rate.rightContext() + 1, 40}) {
                    NDArray x = EncoderTestSupport.randn(m, new Shape(2, length, 20), length, DataType.FLOAT32);
                    Conv2dSubsampling.Output out = sub.forward(x, 0, false);
                    int expected = sub.outputLength(length);
                    assertEquals(new Shape(2, expected, 8), out.x().getShape(), rate + " L=" + length);
                    assertEquals(new Shape(1, expected, 8), out.posEmb().getShape(), rate + " posEmb");
                }
            }
        }
    }

    @Test
    void outputFrameDependsOnlyOnItsWindowOfRightContextPlusOneFrames() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            Conv2dSubsampling x4 = make(m, Conv2dSubsampling.Rate.X4);
            NDArray x = EncoderTestSupport.randn(m, new Shape(1, 31, 20), 1, DataType.FLOAT32);
            double[] whole = EncoderTestSupport.values(x4.forward(x, 0, false).x()); // 7 frames
            // frame t = 2 is computed from input frames 4t .. 4t + 6 = 8 .. 14
            NDArray window = x.get(new NDIndex(":, 8:15, :"));
            double[] single = EncoderTestSupport.values(x4.forward(window, 0, false).x());
            double[] frame2 = java.util.Arrays.copyOfRange(whole, 2 * 8, 3 * 8);
            double diff = EncoderTestSupport.maxAbsDiff(frame2, single);
            assertTrue(diff < 1e-6, "frame 2 from its 7-frame window differs by " + diff);
        }
    }
}
