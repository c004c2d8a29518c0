package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The float32 to bfloat16 conversion against cases computed by hand from the bits: a float32 {@code 0xSEEMMMMM}
 * keeps its upper 16 bits, plus one when the lower 16 are above {@code 0x8000}, or exactly {@code 0x8000} and the
 * kept lowest bit is odd (ties to even). No comparison with libtorch's own cast: DJL 0.35.1 cannot hold a bf16 tensor
 * ({@code toType(BFLOAT16)} aborts the JVM, as {@code org.omnispark.trainer.nn.Autocast} notes).
 */
class Bfloat16Test {

    @ParameterizedTest(name = "{2}: {0} -> {1}")
    @CsvSource({
        "3F800000, 3F80, 1.0 (exact)",
        "BFC00000, BFC0, -1.5 (exact)",
        "00000000, 0000, +0",
        "80000000, 8000, -0 keeps its sign",
        "3F807FFF, 3F80, 1 + 2^-8 - 2^-23 rounds down",
        "3F808001, 3F81, 1 + 2^-8 + 2^-23 rounds up",
        "3F808000, 3F80, 1 + 2^-8: a tie, to the even 1.0",
        "3F818000, 3F82, 1 + 3 2^-8: a tie, to the even 1 + 2^-6",
        "BF818000, BF82, -(1 + 3 2^-8): ties are symmetric",
        "40490FDB, 4049, pi rounds down to 3.140625",
        "3EAAAAAB, 3EAB, 1/3 rounds up",
        "00000001, 0000, the smallest float32 subnormal rounds to zero",
        "00010000, 0001, a bfloat16 subnormal (2^-133) is exact",
        "00008000, 0000, a subnormal tie to the even zero",
        "00018000, 0002, a subnormal tie to the even 2 2^-133",
        "00008001, 0001, a subnormal above the tie rounds up",
        "007FFFFF, 0080, the largest float32 subnormal rounds up to the smallest normal",
        "00800000, 0080, the smallest normal is exact",
        "7F7F7FFF, 7F7F, just below the tie at the top: the largest bfloat16",
        "7F7F8000, 7F80, the tie above the largest bfloat16 goes to the even infinity",
        "7F7FFFFF, 7F80, float32 max overflows to infinity",
        "FF7FFFFF, FF80, -float32 max overflows to -infinity",
        "7F800000, 7F80, infinity",
        "FF800000, FF80, -infinity",
        "7FC00000, 7FC0, the quiet NaN",
        "FFC00000, FFC0, a negative NaN keeps its sign",
        "7F800001, 7FC0, a NaN whose payload is all in the dropped bits stays NaN, not infinity",
        "7FBF8000, 7FFF, a NaN is truncated (no rounding into the exponent), quiet bit set",
    })
    void roundsToNearestEvenAndKeepsNaN(String floatBits, String bf16Bits, String what) {
        float value = Float.intBitsToFloat(Integer.parseUnsignedInt(floatBits, 16));
        short expected = (short) Integer.parseInt(bf16Bits, 16);
        short got = Bfloat16.fromFloat(value);
        assertEquals(expected, got, what + ": got " + Integer.toHexString(got & 0xFFFF));
        if (Float.isNaN(value)) {
            assertTrue(Float.isNaN(Bfloat16.toFloat(got)), what);
        }
    }

    @Test
    void widensExactly() {
        assertEquals(1.0f, Bfloat16.toFloat((short) 0x3F80));
        assertEquals(3.140625f, Bfloat16.toFloat((short) 0x4049));
        assertEquals(-2.0f, Bfloat16.toFloat((short) 0xC000));
        assertEquals(0x1.fep127f, Bfloat16.toFloat((short) 0x7F7F)); // the largest bfloat16
        assertEquals(0x1p-133f, Bfloat16.toFloat((short) 0x0001)); // the smallest bfloat16 subnormal
        assertEquals(Float.NEGATIVE_INFINITY, Bfloat16.toFloat((short) 0xFF80));
        for (int bits = 0; bits < 0x10000; bits++) { // every bfloat16 survives the round trip (NaNs stay NaN)
            float wide = Bfloat16.toFloat((short) bits);
            short back = Bfloat16.fromFloat(wide);
            assertTrue(back == (short) bits || Float.isNaN(wide) && Float.isNaN(Bfloat16.toFloat(back)),
                    Integer.toHexString(bits));
        }
    }

    /** Rounding is within the unit roundoff 2^-8, relatively, for every normal value. */
    @Test
    void roundingErrorIsAtMostTwoToTheMinusEight() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        for (int i = 0; i < 100_000; i++) {
            float x = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(-100, 100)));
            assertTrue(Math.abs(Bfloat16.round(x) - (double) x) <= Math.abs(x) * 0x1p-8, Float.toString(x));
        }
    }

    /** The buffer methods: little-endian values from each buffer's position, positions left alone. */
    @Test
    void buffersNarrowWidenAddAndRound() {
        float[] values = {1.0f, 0x1.01p0f, 0x1.03p0f, -3.0e38f, Float.NaN, 0x1p-140f};
        ByteBuffer floats = ByteBuffer.allocateDirect(4 + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        floats.putInt(0xDEADBEEF); // one value of something else before
        for (float v : values) {
            floats.putFloat(v);
        }
        floats.position(4);
        ByteBuffer narrow = ByteBuffer.allocateDirect(2 + 2 * values.length).position(2);
        Bfloat16.narrow(floats, narrow);
        assertEquals(4, floats.position());
        assertEquals(2, narrow.position());
        ByteBuffer wide = ByteBuffer.allocateDirect(4 * values.length);
        Bfloat16.widen(narrow, wide);
        ByteBuffer sums = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            sums.putFloat(4 * i, 0.5f);
        }
        Bfloat16.widenAdd(narrow, sums);
        Bfloat16.roundInPlace(floats);
        wide.order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            float rounded = Bfloat16.round(values[i]);
            assertEquals(Bfloat16.fromFloat(values[i]), narrow.order(ByteOrder.LITTLE_ENDIAN).getShort(2 + 2 * i));
            assertEquals(rounded, wide.getFloat(4 * i), "widen " + i);
            assertEquals(0.5f + rounded, sums.getFloat(4 * i), "widenAdd " + i);
            assertEquals(rounded, floats.getFloat(4 + 4 * i), "roundInPlace " + i);
        }
        assertEquals(0xDEADBEEF, floats.getInt(0));
        assertThrows(IllegalArgumentException.class, () -> Bfloat16.narrow(floats, ByteBuffer.allocateDirect(3)));
    }
}
