package org.omnispark.expertparallel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bfloat16, the upper half of a float32 (sign, the same 8 exponent bits, 7 of the 23 mantissa bits), as the wire
 * carries it: float32 narrows by rounding to nearest, ties to even (the bf16 unit roundoff is 2^-8: a rounded value
 * is within 2^-8 of the original, relatively); overflow rounds to infinity, subnormals round like any value (the
 * exponent field is the same), NaN stays NaN (its sign and upper payload kept, the quiet bit set, so it never becomes
 * infinity). Widening is exact (16 zero bits appended). The rule of PyTorch's {@code c10::BFloat16} for every
 * non-NaN value (PyTorch maps every NaN to 0x7FC0).
 *
 * <p>The buffer methods read and write little-endian values between each buffer's position and limit, without moving
 * either; they never allocate.
 */
final class Bfloat16 {

    /** Bytes of one bfloat16 value. */
    static final int BYTES = 2;

    private Bfloat16() {}

    /**
     * @param value a float32
     * @return its bfloat16 bits: round to nearest, ties to even; NaN stays NaN
     */
    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) { // NaN: truncate, set the quiet bit so the payload cannot vanish
            return (short) ((bits >>> 16) | 0x0040);
        }
        // adding 0x7FFF rounds half-way cases down, 0x8000 up: the kept lowest bit decides (ties to even)
        int bias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + bias) >>> 16);
    }

    /**
     * @param bits bfloat16 bits
     * @return the float32 of the same value (exact)
     */
    static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * @param value a float32
     * @return the float32 nearest to it that bfloat16 represents ({@code toFloat(fromFloat(value))})
     */
    static float round(float value) {
        return toFloat(fromFloat(value));
    }

    /**
     * Narrows float32 values into bfloat16.
     *
     * @param floats n float32 values (4n bytes)
     * @param target room for n bfloat16 values (2n bytes)
     */
    static void narrow(ByteBuffer floats, ByteBuffer target) {
        ByteBuffer from = floats.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer to = target.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = count(from, to);
        int in = from.position();
        int out = to.position();
        for (int i = 0; i < n; i++) {
            to.putShort(out + 2 * i, fromFloat(from.getFloat(in + 4 * i)));
        }
    }

    /**
     * Widens bfloat16 values into float32 (exact).
     *
     * @param bf16 n bfloat16 values
     * @param floats room for n float32 values
     */
    static void widen(ByteBuffer bf16, ByteBuffer floats) {
        ByteBuffer from = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer to = floats.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = count(to, from);
        int in = from.position();
        int out = to.position();
        for (int i = 0; i < n; i++) {
            to.putFloat(out + 4 * i, toFloat(from.getShort(in + 2 * i)));
        }
    }

    /**
     * Adds bfloat16 values to float32 ones in place, in float32 ({@code floats[i] += widen(bf16[i])}, one float32
     * rounding per element, as a tensor's add).
     *
     * @param bf16 n bfloat16 values
     * @param floats n float32 values, updated
     */
    static void widenAdd(ByteBuffer bf16, ByteBuffer floats) {
        ByteBuffer from = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer to = floats.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = count(to, from);
        int in = from.position();
        int out = to.position();
        for (int i = 0; i < n; i++) {
            to.putFloat(out + 4 * i, to.getFloat(out + 4 * i) + toFloat(from.getShort(in + 2 * i)));
        }
    }

    /**
     * Rounds float32 values to bfloat16's precision in place (what a receiver of them would hold).
     *
     * @param floats float32 values, updated
     */
    static void roundInPlace(ByteBuffer floats) {
        ByteBuffer values = floats.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = values.position();
        int n = values.remaining() / 4;
        for (int i = 0; i < n; i++) {
            values.putFloat(start + 4 * i, round(values.getFloat(start + 4 * i)));
        }
    }

    /** The values in a float32 buffer, checked against the room (or values) of the bfloat16 one. */
    private static int count(ByteBuffer floats, ByteBuffer bf16) {
        if (floats.remaining() % 4 != 0 || floats.remaining() / 4 != bf16.remaining() / BYTES
                || bf16.remaining() % BYTES != 0) {
            throw new IllegalArgumentException(floats.remaining() + " bytes of float32 do not match "
                    + bf16.remaining() + " bytes of bfloat16");
        }
        return floats.remaining() / 4;
    }
}
