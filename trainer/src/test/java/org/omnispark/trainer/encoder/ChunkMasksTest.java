package org.omnispark.trainer.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hand-computed chunk masks and the dynamic chunk draw. */
class ChunkMasksTest {

    private static boolean[][] parse(String... rows) {
        boolean[][] mask = new boolean[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            mask[i] = new boolean[rows[i].length()];
            for (int j = 0; j < rows[i].length(); j++) {
                mask[i][j] = rows[i].charAt(j) == '1';
            }
        }
        return mask;
    }

    @Test
    void chunkOfTwoWithAllLeftChunks() {
        // chunk 2, size 5: row i sees 0 .. min((i/2 + 1) * 2, 5) - 1
        boolean[][] expected = parse(
                "11000",
                "11000",
                "11110",
                "11110",
                "11111");
        assertArrayEquals(expected, ChunkMasks.subsequentChunkMask(5, 2, -1));
    }

    @Test
    void chunkOfTwoWithOneLeftChunk() {
        // chunk 2, 1 left chunk, size 6: start = max((i/2 - 1) * 2, 0), end = (i/2 + 1) * 2
        boolean[][] expected = parse(
                "110000",
                "110000",
                "111100",
                "111100",
                "001111",
                "001111");
        assertArrayEquals(expected, ChunkMasks.subsequentChunkMask(6, 2, 1));
    }

    @Test
    void chunkOfThreeWithNoLeftChunksAndPartialLastChunk() {
        // chunk 3, 0 left chunks, size 7: each frame sees only its own chunk; the last chunk has one frame
        boolean[][] expected = parse(
                "1110000",
                "1110000",
                "1110000",
                "0001110",
                "0001110",
                "0001110",
                "0000001");
        assertArrayEquals(expected, ChunkMasks.subsequentChunkMask(7, 3, 0));
    }

    @Test
    void attentionMaskCombinesPaddingAndChunks() {
        try (NDManager m = EncoderTestSupport.newManager()) {
            // lengths {4, 2}, T = 4, chunk 2: sequence 1 may not attend to frames 2, 3 (padding)
            NDArray mask = ChunkMasks.attentionMask(m, new int[] {4, 2}, 4, new ChunkMasks.Choice(2, -1));
            assertEquals(new Shape(2, 4, 4), mask.getShape());
            boolean[] expected = {
                true, true, false, false, true, true, false, false, true, true, true, true, true, true, true, true,
                true, true, false, false, true, true, false, false, true, true, false, false, true, true, false, false
            };
            assertArrayEquals(expected, mask.toBooleanArray());
            NDArray full = ChunkMasks.attentionMask(m, new int[] {4, 2}, 4, ChunkMasks.Choice.FULL);
            assertEquals(new Shape(2, 1, 4), full.getShape(), "full context is the padding mask [B, 1, T]");
            assertArrayEquals(new boolean[] {true, true, true, true, true, true, false, false}, full.toBooleanArray());
        }
    }

    @Test
    void requiredCacheSizeIsChunkTimesLeftChunks() {
        assertEquals(8, new ChunkMasks.Choice(4, 2).requiredCacheSize(), "4 * 2");
        assertEquals(-1, new ChunkMasks.Choice(4, -1).requiredCacheSize(), "all left chunks");
        assertEquals(-1, ChunkMasks.Choice.FULL.requiredCacheSize(), "full context");
    }

    @Test
    void dynamicChoiceIsHalfFullContextElseUniformInOneToMax() {
        SplittableRandom random = new SplittableRandom(5);
        int full = 0;
        int[] counts = new int[26];
        int draws = 20000;
        for (int i = 0; i < draws; i++) {
            ChunkMasks.Choice c = ChunkMasks.dynamicChoice(random, 100, 25, false);
            if (c.isFullContext()) {
                full++;
            } else {
                assertTrue(c.chunkSize() >= 1 && c.chunkSize() <= 25, "chunk " + c.chunkSize());
                assertEquals(-1, c.numLeftChunks(), "no dynamic left chunks");
                counts[c.chunkSize()]++;
            }
        }
        // binomial(20000, 1/2): sd ~ 71; 5 sd bound
        assertEquals(draws / 2.0, full, 360, "full-context draws");
        for (int chunk = 1; chunk <= 25; chunk++) {
            // each chunk ~ 10000 / 25 = 400 draws, sd ~ 20
            assertEquals(400, counts[chunk], 100, "draws of chunk " + chunk);
        }
        // seeded: the same seed gives the same sequence
        SplittableRandom a = new SplittableRandom(9);
        SplittableRandom b = new SplittableRandom(9);
        for (int i = 0; i < 50; i++) {
            assertEquals(ChunkMasks.dynamicChoice(a, 40, 25, true), ChunkMasks.dynamicChoice(b, 40, 25, true));
        }
    }

    @Test
    void dynamicLeftChunksStayWithinTheSequence() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            ChunkMasks.Choice c = ChunkMasks.dynamicChoice(random, 30, 25, true);
            if (!c.isFullContext()) {
                int maxLeft = (30 - 1) / c.chunkSize();
                assertTrue(c.numLeftChunks() >= 0 && c.numLeftChunks() <= maxLeft,
                        "left " + c.numLeftChunks() + " for chunk " + c.chunkSize());
            }
        }
    }
}
