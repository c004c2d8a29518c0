package org.omnispark.data.audio;

/**
 * The frame sizes of a laced Matroska block (Xiph lacing: each size as a run of 255s and a last byte; EBML lacing: the
 * first size as an EBML number, the others as signed differences to the previous one; fixed-size lacing: the block
 * divided evenly), each checked against the bytes the block holds, so that the frames lie inside it.
 */
final class MatroskaLacing {
    private MatroskaLacing() {
    }

    /**
     * Reads the lace header at {@code d[p]} (the frame count less one, then the sizes) of a block ending at
     * {@code to}.
     *
     * @param lacing 1 Xiph, 2 fixed-size, 3 EBML
     * @param m the demuxer, which words the CORRUPT_AUDIO reject
     * @param blockStart where the block starts, for messages
     * @return the sizes of the frames, then where the first frame starts
     */
    static int[] sizes(byte[] d, int p, int to, int lacing, MatroskaDemuxer m, int blockStart)
            throws AudioFormatException {
        if (p >= to) {
            throw m.corrupt("a laced block at byte " + blockStart + " ends before its frame count");
        }
        int count = (d[p++] & 0xFF) + 1;
        int[] sizes = new int[count + 1];
        long sum = 0;
        for (int i = 0; i < count - 1; i++) {
            long s;
            if (lacing == 1) {
                s = 0;
                int b;
                do {
                    if (p >= to) {
                        throw m.corrupt("the lace sizes of the block at byte " + blockStart + " run past it");
                    }
                    b = d[p++] & 0xFF;
                    s += b;
                } while (b == 255);
            } else if (lacing == 3) {
                int first = d[p] & 0xFF;
                int width = Integer.numberOfLeadingZeros(first) - 23;
                if (first == 0 || to - p < width) {
                    throw m.corrupt("a lace size of the block at byte " + blockStart + " is not a valid EBML number");
                }
                long v = first & (0xFF >> width);
                for (int k = 1; k < width; k++) {
                    v = v << 8 | (d[p + k] & 0xFF);
                }
                p += width;
                s = i == 0 ? v : sizes[i - 1] + v - ((1L << (7 * width - 1)) - 1);
            } else {
                s = (to - p) / count;
            }
            sum += s;
            if (s < 0 || sum > to - p) {
                throw m.corrupt("the lace sizes of the block at byte " + blockStart + " add up to more than it holds");
            }
            sizes[i] = (int) s;
        }
        if (lacing == 2 && (to - p) % count != 0) {
            throw m.corrupt("the fixed-size laced block at byte " + blockStart + " does not divide into " + count
                    + " frames");
        }
        sizes[count - 1] = (int) (to - p - sum);
        sizes[count] = p;
        return sizes;
    }
}
