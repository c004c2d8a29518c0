package org.omnispark.data.features;

/**
 * Real-input FFT of a power-of-two size n via one complex FFT of size m = n/2.
 *
 * <p>The n reals are read as m complex values {@code z[j] = x[2j] + i x[2j+1]} (the array is already laid
 * out that way), transformed in place by an iterative radix-2 decimation-in-time FFT (bit-reversal
 * permutation from a precomputed swap table; the first two stages fused with trivial twiddles, then the
 * remaining stages two at a time (radix-2^2) from one contiguous twiddle table per stage), and split into
 * the real spectrum with
 * {@code X[k] = E[k] + W^k O[k]}, {@code E[k] = (Z[k] + conj Z[m-k]) / 2},
 * {@code O[k] = (Z[k] - conj Z[m-k]) / 2i}, {@code W = exp(-2 pi i / n)}, computing k and m-k together.
 * No allocation per call; holds no mutable state, but {@link RealFft} instances are documented
 * thread-confined.
 */
public final class PowerOfTwoRealFft implements RealFft {
    private final int n;
    private final int m;
    /** Pairs of complex indices (times 2: offsets into data) to swap for the bit-reversal permutation. */
    private final int[] swaps;
    /** Twiddles of stages with half-size h = 4, 8, ..., m/2: at complex offset h - 4, exp(-2 pi i k / 2h). */
    private final double[] stageTwiddles;
    /** cos(2 pi k / n) and -sin(2 pi k / n) for k = 0 .. m/2, for the real split. */
    private final double[] splitCos;
    private final double[] splitSin;

    /**
     * @param n transform size, a power of two, at least 8
     */
    public PowerOfTwoRealFft(int n) {
        if (n < 8 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("PowerOfTwoRealFft needs a power of two >= 8, got " + n
                    + "; use RealFft.create(n) for other sizes");
        }
        this.n = n;
        this.m = n / 2;
        this.swaps = bitReversalSwaps(m);
        this.stageTwiddles = new double[2 * Math.max(0, m - 4)];
        for (int h = 4; h < m; h <<= 1) {
            for (int k = 0; k < h; k++) {
                double angle = -Math.PI * k / h;
                stageTwiddles[2 * (h - 4 + k)] = Math.cos(angle);
                stageTwiddles[2 * (h - 4 + k) + 1] = Math.sin(angle);
            }
        }
        int halfM = m / 2;
        this.splitCos = new double[halfM + 1];
        this.splitSin = new double[halfM + 1];
        for (int k = 0; k <= halfM; k++) {
            double angle = 2.0 * Math.PI * k / n;
            splitCos[k] = Math.cos(angle);
            splitSin[k] = -Math.sin(angle);
        }
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public void forward(double[] data) {
        if (data.length < n) {
            throw new IllegalArgumentException("RealFft of size " + n + " needs an array of at least " + n
                    + " values, got " + data.length);
        }
        complexForward(data);
        splitReal(data);
    }

    /** In-place complex FFT of m interleaved values (data[2j], data[2j+1]). */
    private void complexForward(double[] d) {
        int[] sw = swaps;
        for (int p = 0; p < sw.length; p += 2) {
            int i = sw[p];
            int j = sw[p + 1];
            double tr = d[i];
            double ti = d[i + 1];
            d[i] = d[j];
            d[i + 1] = d[j + 1];
            d[j] = tr;
            d[j + 1] = ti;
        }
        // Stages of size 2 and 4 fused: twiddles are 1 and -i.
        int len = 2 * m;
        for (int b = 0; b < len; b += 8) {
            double a0r = d[b] + d[b + 2];
            double a0i = d[b + 1] + d[b + 3];
            double a1r = d[b] - d[b + 2];
            double a1i = d[b + 1] - d[b + 3];
            double a2r = d[b + 4] + d[b + 6];
            double a2i = d[b + 5] + d[b + 7];
            double a3r = d[b + 4] - d[b + 6];
            double a3i = d[b + 5] - d[b + 7];
            d[b] = a0r + a2r;
            d[b + 1] = a0i + a2i;
            d[b + 4] = a0r - a2r;
            d[b + 5] = a0i - a2i;
            // (-i) * a3 = a3i - i a3r
            d[b + 2] = a1r + a3i;
            d[b + 3] = a1i - a3r;
            d[b + 6] = a1r - a3i;
            d[b + 7] = a1i + a3r;
        }
        double[] tw = stageTwiddles;
        int h = 4;
        // Radix-2^2: two radix-2 stages (half-sizes h and 2h) per pass over the data, so half the passes.
        for (; 2 * h < m; h <<= 2) {
            int span = 8 * h; // doubles per group of 4h complex values
            int tw1 = 2 * (h - 4);
            int tw2 = 2 * (2 * h - 4);
            int q = 2 * h; // doubles per quarter
            for (int g = 0; g < len; g += span) {
                for (int k = 0; k < q; k += 2) {
                    double w1r = tw[tw1 + k];
                    double w1i = tw[tw1 + k + 1];
                    double w2r = tw[tw2 + k];
                    double w2i = tw[tw2 + k + 1];
                    int ia = g + k;
                    int ib = ia + q;
                    int ic = ib + q;
                    int ie = ic + q;
                    // stage h: (a, b) and (c, e) with W1 = exp(-2 pi i k / 2h)
                    double br = w1r * d[ib] - w1i * d[ib + 1];
                    double bi = w1r * d[ib + 1] + w1i * d[ib];
                    double er = w1r * d[ie] - w1i * d[ie + 1];
                    double ei = w1r * d[ie + 1] + w1i * d[ie];
                    double a1r = d[ia] + br;
                    double a1i = d[ia + 1] + bi;
                    double b1r = d[ia] - br;
                    double b1i = d[ia + 1] - bi;
                    double c1r = d[ic] + er;
                    double c1i = d[ic + 1] + ei;
                    double e1r = d[ic] - er;
                    double e1i = d[ic + 1] - ei;
                    // stage 2h: (a1, c1) with W2 = exp(-2 pi i k / 4h); (b1, e1) with -i W2
                    double tcr = w2r * c1r - w2i * c1i;
                    double tci = w2r * c1i + w2i * c1r;
                    double ter = w2r * e1i + w2i * e1r; // (-i W2 e1).re = Im(W2 e1)
                    double tei = -(w2r * e1r - w2i * e1i); // (-i W2 e1).im = -Re(W2 e1)
                    d[ia] = a1r + tcr;
                    d[ia + 1] = a1i + tci;
                    d[ic] = a1r - tcr;
                    d[ic + 1] = a1i - tci;
                    d[ib] = b1r + ter;
                    d[ib + 1] = b1i + tei;
                    d[ie] = b1r - ter;
                    d[ie + 1] = b1i - tei;
                }
            }
        }
        // A last single radix-2 stage when the number of remaining stages is odd.
        for (; h < m; h <<= 1) {
            int span = 4 * h; // doubles per group of size 2h
            int twBase = 2 * (h - 4);
            for (int g = 0; g < len; g += span) {
                int top = g;
                int bottom = g + 2 * h;
                for (int k = 0; k < 2 * h; k += 2) {
                    double wr = tw[twBase + k];
                    double wi = tw[twBase + k + 1];
                    int u = top + k;
                    int v = bottom + k;
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
    }

    /** Turns the complex FFT Z of the even/odd-interleaved input into the packed real spectrum X. */
    private void splitReal(double[] d) {
        double z0r = d[0];
        double z0i = d[1];
        d[0] = z0r + z0i; // X[0]
        d[1] = z0r - z0i; // X[n/2]
        int halfM = m / 2;
        for (int k = 1; k <= halfM; k++) {
            int p = 2 * k;
            int q = 2 * (m - k);
            double a = d[p];
            double b = d[p + 1];
            double c = d[q];
            double e = d[q + 1];
            double er = 0.5 * (a + c);
            double ei = 0.5 * (b - e);
            double or = 0.5 * (b + e);
            double oi = 0.5 * (c - a);
            double wr = splitCos[k];
            double wi = splitSin[k];
            double tr = wr * or - wi * oi;
            double ti = wr * oi + wi * or;
            d[p] = er + tr;
            d[p + 1] = ei + ti;
            d[q] = er - tr;
            d[q + 1] = ti - ei;
        }
    }

    private static int[] bitReversalSwaps(int m) {
        int bits = Integer.numberOfTrailingZeros(m);
        int count = 0;
        int[] tmp = new int[m];
        for (int i = 0; i < m; i++) {
            int j = Integer.reverse(i) >>> (32 - bits);
            if (i < j) {
                tmp[count++] = 2 * i;
                tmp[count++] = 2 * j;
            }
        }
        int[] out = new int[count];
        System.arraycopy(tmp, 0, out, 0, count);
        return out;
    }
}
