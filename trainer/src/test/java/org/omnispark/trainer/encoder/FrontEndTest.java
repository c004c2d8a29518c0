package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.omnispark.data.reader.DatasetManifest;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** GlobalCmvn from the manifest's sums, and SpecAugment's masks. */
class FrontEndTest {

    @Test
    void cmvnUsesManifestMeanAndInverseStd() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            // 4 frames of 2 dims: dim 0 values {1, 2, 3, 6} -> sum 12, sumsq 50; dim 1 all 5 -> sum 20, sumsq 100
            // mean = {3, 5}; var = {50/4 - 9, 100/4 - 25} = {3.5, 0} -> floored at 1e-20: istd {1/sqrt(3.5), 1e10}
            DatasetManifest.Cmvn stats = new DatasetManifest.Cmvn(new double[] {12, 20}, new double[] {50, 100}, 4);
            GlobalCmvn cmvn = GlobalCmvn.fromManifest(m, stats, DataType.FLOAT64);
            NDArray x = m.create(new double[] {6, 5, 1, 5.5}, new Shape(1, 2, 2));
            double[] y = EncoderTestSupport.values(cmvn.forward(x));
            assertEquals(3 / Math.sqrt(3.5), y[0], 1e-12, "(6 - 3) / sqrt(3.5)");
            assertEquals(0, y[1], 1e-12, "(5 - 5) * 1e10");
            assertEquals(-2 / Math.sqrt(3.5), y[2], 1e-12, "(1 - 3) / sqrt(3.5)");
            assertEquals(0.5e10, y[3], 1e-2, "(5.5 - 5) * 1e10");
            assertThrows(IllegalArgumentException.class,
                    () -> GlobalCmvn.fromManifest(m, new DatasetManifest.Cmvn(new double[2], new double[2], 0),
                            DataType.FLOAT32));
        }
    }

    @Test
    void specAugmentMasksWithinValidFramesAndIgnoresPadding() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            SpecAugment aug = new SpecAugment(2, 4, 2, 5, 17);
            NDArray ones = m.ones(new Shape(2, 30, 12), DataType.FLOAT32);
            int[] lengths = {30, 18};
            float[] y = aug.forward(ones, lengths, 3, true).toFloatArray();
            // utterance 1: frames 18..29 are padding and never masked by time masks (frequency masks apply to all)
            int maskedFrames = 0;
            for (int t = 0; t < 30; t++) {
                boolean allZero = true;
                for (int f = 0; f < 12; f++) {
                    allZero &= y[(30 + t) * 12 + f] == 0f;
                }
                if (allZero) {
                    maskedFrames++;
                    assertTrue(t < 18, "time mask at padding frame " + t);
                }
            }
            assertTrue(maskedFrames <= 2 * 5, "at most 2 masks of width <= 5, got " + maskedFrames + " frames");

            // the same utterance padded to 40 frames gets the same masks on its valid frames
            NDArray longer = m.ones(new Shape(2, 40, 12), DataType.FLOAT32);
            float[] z = aug.forward(longer, lengths, 3, true).get(new NDIndex("1, 0:18, :")).toFloatArray();
            float[] y1 = aug.forward(ones, lengths, 3, true).get(new NDIndex("1, 0:18, :")).toFloatArray();
            assertArrayEquals(y1, z, "masks depend on the padded length");

            // deterministic per step, different across steps; identity when not training
            assertArrayEquals(y, aug.forward(ones, lengths, 3, true).toFloatArray(), "same step, same masks");
            boolean anyDifferent = false;
            for (int step = 4; step < 10 && !anyDifferent; step++) {
                anyDifferent = !java.util.Arrays.equals(y, aug.forward(ones, lengths, step, true).toFloatArray());
            }
            assertTrue(anyDifferent, "masks never change across steps");
            assertSame(ones, aug.forward(ones, lengths, 3, false), "evaluation must not mask");
            float sum = 0;
            for (float v : y) {
                sum += v;
            }
            assertNotEquals(2 * 30 * 12, sum, "nothing was masked");
        }
    }
}
