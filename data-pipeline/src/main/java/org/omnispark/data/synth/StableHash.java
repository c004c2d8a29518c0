package org.omnispark.data.synth;

import java.nio.charset.StandardCharsets;

/**
 * A hash that never changes across JVMs, versions or machines (unlike {@link String#hashCode()} mixing in maps):
 * 64-bit FNV-1a over the UTF-8 bytes, followed by a SplitMix64 finalizer so that nearby strings spread evenly.
 */
public final class StableHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private StableHash() {
    }

    /** The 64-bit hash of {@code text}. */
    public static long hash64(String text) {
        long h = FNV_OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return mix64(h);
    }

    /** The hash of {@code text} mapped to [0, 1): 53 high bits divided by 2^53. */
    public static double unit(String text) {
        return (hash64(text) >>> 11) * 0x1.0p-53;
    }

    /** SplitMix64 finalizer: a bijection on longs with good avalanche; also used to derive per-row seeds. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A seed for item {@code index} of stream {@code stream} under a master {@code seed}. */
    public static long derive(long seed, long stream, long index) {
        return mix64(mix64(seed ^ mix64(stream + 0x9e3779b97f4a7c15L)) + index);
    }
}
