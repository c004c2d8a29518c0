package org.omnispark.data.features;

/**
 * In-place forward complex FFT of a power-of-two size m on interleaved (re, im) values:
 * {@code Z[k] = sum_j z[j] exp(-2 pi i j k / m)}. Iterative radix-2 decimation in time with a precomputed
 * bit-reversal swap table and one contiguous twiddle table per stage. Immutable tables, no scratch:
 * thread-safe. Used by {@link BluesteinRealDft}.
 */
final class ComplexFft {
    private final int m;
    private final int[] swaps;
    /** Stage with half-size h (1, 2, 4, ..., m/2) at complex offset h - 1: exp(-2 pi i k / 2h), k < h. */
    private final double[] twiddles;

    ComplexFft(int m) {
        if (m < 2 || Integer.bitCount(m) != 1) {
            throw new IllegalArgumentException("ComplexFft needs a power of two >= 2, got " + m);
        }
        this.m = m;
        int bits = Integer.numberOfTrailingZeros(m);
        int[] tmp = new int[m];
        int count = 0;
        for (int i = 0; i < m; i++) {
            int j = Integer.reverse(i) >>> (32 - bits);
            if (i < j) {
                tmp[count++] = 2 * i;
                tmp[count++] = 2 * j;
            }
        }
        this.swaps = java.util.Arrays.copyOf(tmp, count);
        this.twiddles = new double[2 * m];
        for (int h = 1; h < m; h <<= 1) {
            for (int k = 0; k < h; k++) {
                double angle = -Math.PI * k / h;
                twiddles[2 * (h - 1 + k)] = Math.cos(angle);
                twiddles[2 * (h - 1 + k) + 1] = Math.sin(angle);
            }
        }
    }

    /** Transforms d[0 .. 2m) in place. */
    void forward(double[] d) {
        for (int p = 0; p < swaps.length; p += 2) {
            int i = swaps[p];
            int j = swaps[p + 1];
            double tr = d[i];
            double ti = d[i + 1];
            d[i] = d[j];
            d[i + 1] = d[j + 1];
            d[j] = tr;
            d[j + 1] = ti;
        }
        int len = 2 * m;
        for (int h = 1; h < m; h <<= 1) {
            radix2Stage(d, len, h, twiddles, 2 * (h - 1));
        }
    }

    /**
     * One radix-2 decimation-in-time stage of half-size h over the interleaved complex values d[0 .. len): in each
     * group of 2h values, the butterfly of value k and k + h with twiddle {@code tw[base + 2k], tw[base + 2k + 1]}.
     * Shared with {@link PowerOfTwoRealFft}'s last stage.
     */
    static void radix2Stage(double[] d, int len, int h, double[] tw, int base) {
        int span = 4 * h;
        for (int g = 0; g < len; g += span) {
            for (int k = 0; k < 2 * h; k += 2) {
                double wr = tw[base + k];
                double wi = tw[base + k + 1];
                int u = g + k;
                int v = u + 2 * h;
                double xr = d[v];
                double xi = d[v + 1];
                double tr = wr * xr - wi * xi;
                double ti = wr * xi + wi * xr;
                double ur = d[u];
                double ui = d[u + 1];
                d[u] = ur + tr;
                d[u + 1] = ui + ti;
                d[v] = ur - tr;
                d[v + 1] = ui - ti;
            }
        }
    }

    /** Throws unless {@code data} holds the n values a real transform of size n reads. */
    static void requireInput(double[] data, int n) {
        if (data.length < n) {
            throw new IllegalArgumentException("RealFft of size " + n + " needs an array of at least " + n
                    + " values, got " + data.length);
        }
    }
}
