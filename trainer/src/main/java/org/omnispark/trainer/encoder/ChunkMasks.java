package org.omnispark.trainer.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Attention masks for full-context, static-chunk and dynamic-chunk training (WeNet {@code mask.py}). All masks are
 * boolean, true = may attend.
 */
public final class ChunkMasks {

    /** Largest chunk (in frames after subsampling) of dynamic chunk training, as in U2++. */
    public static final int MAX_DYNAMIC_CHUNK = 25;

    private ChunkMasks() {}

    /**
     * The chunk choice of one forward pass.
     *
     * @param chunkSize frames per chunk after subsampling; 0 or negative = full context
     * @param numLeftChunks chunks to the left a frame may see; negative = all
     */
    public record Choice(int chunkSize, int numLeftChunks) {
        /** Full context. */
        public static final Choice FULL = new Choice(0, -1);

        /** @return true for full context */
        public boolean isFullContext() {
            return chunkSize <= 0;
        }

        /** @return frames of attention cache a streaming decoder keeps: chunk * numLeftChunks, negative = all */
        public int requiredCacheSize() {
            return isFullContext() || numLeftChunks < 0 ? -1 : chunkSize * numLeftChunks;
        }
    }

    /**
     * Frame i may attend to frame j when j lies in i's chunk or in one of the {@code numLeftChunks} chunks before it:
     *
     * <pre>
     *   start(i) = numLeftChunks &lt; 0 ? 0 : max((i / chunk - numLeftChunks) * chunk, 0)
     *   end(i)   = min((i / chunk + 1) * chunk, size)
     *   mask[i][j] = start(i) &lt;= j &lt; end(i)
     * </pre>
     *
     * @param size T
     * @param chunkSize frames per chunk, &gt; 0
     * @param numLeftChunks chunks to the left, negative = all
     * @return {@code [T][T]} host mask
     */
    public static boolean[][] subsequentChunkMask(int size, int chunkSize, int numLeftChunks) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be > 0, got " + chunkSize + "; use 0 only via Choice");
        }
        boolean[][] mask = new boolean[size][size];
        for (int i = 0; i < size; i++) {
            int start = numLeftChunks < 0 ? 0 : Math.max((i / chunkSize - numLeftChunks) * chunkSize, 0);
            int end = Math.min((i / chunkSize + 1) * chunkSize, size);
            for (int j = start; j < end; j++) {
                mask[i][j] = true;
            }
        }
        return mask;
    }

    /**
     * Padding mask: true for the first {@code lengths[b]} frames.
     *
     * @param scope the manager of the result
     * @param lengths valid frames per sequence
     * @param maxLength T
     * @return boolean {@code [B, 1, T]}
     */
    public static NDArray padMask(NDManager scope, int[] lengths, int maxLength) {
        boolean[] values = validFlags(lengths, maxLength);
        return scope.create(values, new Shape(lengths.length, 1, maxLength));
    }

    /**
     * Host padding flags.
     *
     * @param lengths valid frames per sequence
     * @param maxLength T
     * @return B*T row-major flags, true for real frames
     */
    public static boolean[] validFlags(int[] lengths, int maxLength) {
        boolean[] values = new boolean[lengths.length * maxLength];
        for (int b = 0; b < lengths.length; b++) {
            for (int t = 0; t < Math.min(lengths[b], maxLength); t++) {
                values[b * maxLength + t] = true;
            }
        }
        return values;
    }

    /**
     * The attention mask of a forward pass: the padding mask, combined with the chunk mask unless full context.
     *
     * @param scope the manager of the result
     * @param lengths valid frames per sequence (after subsampling)
     * @param maxLength T (after subsampling)
     * @param choice the chunk choice
     * @return boolean {@code [B, 1, T]} (full context) or {@code [B, T, T]}
     */
    public static NDArray attentionMask(NDManager scope, int[] lengths, int maxLength, Choice choice) {
        if (choice.isFullContext()) {
            return padMask(scope, lengths, maxLength);
        }
        NDArray chunk = toArray(scope, subsequentChunkMask(maxLength, choice.chunkSize(), choice.numLeftChunks()));
        return padMask(scope, lengths, maxLength).logicalAnd(chunk); // [B, 1, T] & [1, T, T] -> [B, T, T]
    }

    /**
     * Draws the chunk of one dynamic-chunk training step (U2++): with probability 1/2 full context, else a chunk
     * uniform in 1..{@code maxChunk}; with {@code dynamicLeftChunks}, the left chunks are uniform in 0..(T-1)/chunk,
     * else all.
     *
     * @param random the encoder's seeded generator (advanced by this call)
     * @param maxLength T after subsampling
     * @param maxChunk largest chunk, {@link #MAX_DYNAMIC_CHUNK} in U2++
     * @param dynamicLeftChunks whether to limit left context randomly too
     * @return the choice
     */
    public static Choice dynamicChoice(SplittableRandom random, int maxLength, int maxChunk,
            boolean dynamicLeftChunks) {
        if (random.nextBoolean()) {
            return Choice.FULL;
        }
        int chunk = 1 + random.nextInt(maxChunk);
        int left = dynamicLeftChunks ? random.nextInt(Math.max(0, (maxLength - 1) / chunk) + 1) : -1;
        return new Choice(chunk, left);
    }

    /**
     * Host copy of a boolean mask as a boolean NDArray (for tests and callers holding host masks).
     *
     * @param scope the manager of the result
     * @param mask {@code [T1][T2]}
     * @return boolean {@code [1, T1, T2]}
     */
    public static NDArray toArray(NDManager scope, boolean[][] mask) {
        int rows = mask.length;
        int cols = rows == 0 ? 0 : mask[0].length;
        boolean[] flat = new boolean[rows * cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(mask[i], 0, flat, i * cols, cols);
        }
        return scope.create(flat, new Shape(1, rows, cols)).toType(DataType.BOOLEAN, false);
    }
}
