package org.omnispark.data.audio;

/**
 * The interleaved little-endian sample encodings a WAV data chunk may hold, each able to decode a run of frames
 * into mono floats (mean of the channels), full scale mapped to 1.0.
 */
enum SampleEncoding {
    /** 8-bit unsigned PCM, 128 is silence: (u - 128) / 128. */
    PCM_U8(1, 128.0),
    /** 16-bit signed PCM: s / 32768. */
    PCM_S16(2, 32768.0),
    /** 24-bit signed PCM, packed in 3 bytes: s / 2^23. */
    PCM_S24(3, 8388608.0),
    /** 32-bit signed PCM: s / 2^31. */
    PCM_S32(4, 2147483648.0),
    /** IEEE 754 single precision, taken as is (1.0 is full scale). */
    FLOAT32(4, 1.0),
    /** IEEE 754 double precision, taken as is and rounded to float. */
    FLOAT64(8, 1.0);

    private final int bytesPerSample;
    private final double fullScale;

    SampleEncoding(int bytesPerSample, double fullScale) {
        this.bytesPerSample = bytesPerSample;
        this.fullScale = fullScale;
    }

    /** Bytes one sample of one channel takes. */
    int bytesPerSample() {
        return bytesPerSample;
    }

    /** Whether the samples are IEEE floats (which can hold NaN or infinity). */
    boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /**
     * Decodes {@code frames} interleaved frames starting at byte {@code offset} into {@code out[outOffset ...]},
     * each output sample the mean of the frame's channels divided by full scale (one rounding, from double).
     *
     * @param data the file bytes; [offset, offset + frames * channels * bytesPerSample) must lie inside
     * @param channels interleaved channels per frame (at least 1)
     */
    void decodeMono(byte[] data, int offset, int frames, int channels, float[] out, int outOffset) {
        final double divisor = fullScale * channels;
        if (this == PCM_S16) { // the common case, one tight loop (the generic one costs ~2x): same numerics
            int p = offset;
            for (int f = 0; f < frames; f++) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += (short) S16.get(data, p);
                    p += 2;
                }
                out[outOffset + f] = (float) (sum / divisor);
            }
            return;
        }
        int p = offset;
        for (int f = 0; f < frames; f++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += sample(data, p);
                p += bytesPerSample;
            }
            out[outOffset + f] = (float) (sum / divisor);
        }
    }

    private static final java.lang.invoke.VarHandle S16 = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            short[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** One sample at byte {@code p}, in the encoding's own units (integer value, or float value). */
    private double sample(byte[] d, int p) {
        switch (this) {
            case PCM_U8:
                return (d[p] & 0xFF) - 128;
            case PCM_S16:
                return (short) ((d[p] & 0xFF) | (d[p + 1] << 8));
            case PCM_S24:
                // Shift the 3 bytes into the top of an int, then arithmetic-shift back to sign-extend.
                return ((d[p] & 0xFF) << 8 | (d[p + 1] & 0xFF) << 16 | d[p + 2] << 24) >> 8;
            case PCM_S32:
                return int32(d, p);
            case FLOAT32:
                return Float.intBitsToFloat(int32(d, p));
            case FLOAT64:
                return Double.longBitsToDouble((int32(d, p) & 0xFFFFFFFFL) | ((long) int32(d, p + 4) << 32));
            default:
                throw new AssertionError(this);
        }
    }

    private static int int32(byte[] d, int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8 | (d[p + 2] & 0xFF) << 16 | d[p + 3] << 24;
    }
}
