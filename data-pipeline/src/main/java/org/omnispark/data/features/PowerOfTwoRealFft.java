package org.omnispark.data.features;

/**
 * Real-input FFT of a power-of-two size n via one complex FFT of size m = n/2.
 *
 * <p>The n reals are read as m complex values {@code z[j] = x[2j] + i x[2j+1]} (the array is already laid
 * out that way), transformed by an iterative radix-2 decimation-in-time FFT into a scratch array (bit-reversal
 * permutation from a precomputed table, fused with the first two stages and their trivial twiddles; then the
 * remaining stages two at a time as radix-4 passes with contiguous twiddle tables), and split into
 * the real spectrum with
 * {@code X[k] = E[k] + W^k O[k]}, {@code E[k] = (Z[k] + conj Z[m-k]) / 2},
 * {@code O[k] = (Z[k] - conj Z[m-k]) / 2i}, {@code W = exp(-2 pi i / n)}, computing k and m-k together.
 * No allocation per call; one scratch array of n doubles, so an instance is thread-confined.
 */
public final class PowerOfTwoRealFft implements RealFft {
    private final int n;
    private final int m;
    /** For complex index j: 2 * bitReverse(j), the offset in the input that lands at j after the permutation. */
    private final int[] bitReversed;
    /** [n] the complex FFT is computed here (out of place), so the input is only read. */
    private final double[] work;
    /** Twiddles of radix-2 stages with half-size h = 4, 8, ..., m/2: at complex offset h - 4, exp(-2 pi i k / 2h). */
    private final double[] stageTwiddles;
    /** Per radix-4 pass and k: W, W^2, W^3 (re, im) with W = exp(-2 pi i k / 4h). */
    private final double[] radix4Twiddles;
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
        this.bitReversed = new int[m];
        int bits = Integer.numberOfTrailingZeros(m);
        for (int j = 0; j < m; j++) {
            bitReversed[j] = 2 * (Integer.reverse(j) >>> (32 - bits));
        }
        this.work = new double[n];
        this.stageTwiddles = new double[2 * Math.max(0, m - 4)];
        for (int h = 4; h < m; h <<= 1) {
            for (int k = 0; k < h; k++) {
                double angle = -Math.PI * k / h;
                stageTwiddles[2 * (h - 4 + k)] = Math.cos(angle);
                stageTwiddles[2 * (h - 4 + k) + 1] = Math.sin(angle);
            }
        }
        int size4 = 0;
        for (int h = 4; 2 * h < m; h <<= 2) {
            size4 += 6 * h;
        }
        this.radix4Twiddles = new double[size4];
        int t = 0;
        for (int h = 4; 2 * h < m; h <<= 2) {
            for (int k = 0; k < h; k++) {
                for (int p = 1; p <= 3; p++) {
                    double angle = -2.0 * Math.PI * p * k / (4.0 * h);
                    radix4Twiddles[t++] = Math.cos(angle);
                    radix4Twiddles[t++] = Math.sin(angle);
                }
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
        ComplexFft.requireInput(data, n);
        complexForward(data, work);
        splitReal(work, data);
    }

    /** Complex FFT of the m interleaved values of src (src[2j], src[2j+1]) into d; src is only read. */
    private void complexForward(double[] src, double[] d) {
        // Bit-reversal permutation fused with the stages of size 2 and 4 (twiddles 1 and -i).
        int[] rev = bitReversed;
        int len = 2 * m;
        for (int b = 0, j = 0; b < len; b += 8, j += 4) {
            int p0 = rev[j];
            int p1 = rev[j + 1];
            int p2 = rev[j + 2];
            int p3 = rev[j + 3];
            double a0r = src[p0] + src[p1];
            double a0i = src[p0 + 1] + src[p1 + 1];
            double a1r = src[p0] - src[p1];
            double a1i = src[p0 + 1] - src[p1 + 1];
            double a2r = src[p2] + src[p3];
            double a2i = src[p2 + 1] + src[p3 + 1];
            double a3r = src[p2] - src[p3];
            double a3i = src[p2 + 1] - src[p3 + 1];
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
        double[] tw4 = radix4Twiddles;
        int h = 4;
        int tw4Base = 0;
        // Radix-4 passes: two radix-2 stages (half-sizes h and 2h) at once, 3 complex multiplications per
        // 4 points. With W = exp(-2 pi i k / 4h): B = W^2 b, C = W c, E = W^3 e;
        // a' = a + B + (C + E), c' = a + B - (C + E), b' = a - B - i (C - E), e' = a - B + i (C - E).
        for (; 2 * h < m; h <<= 2) {
            int span = 8 * h; // doubles per group of 4h complex values
            int q = 2 * h; // doubles per quarter
            for (int g = 0; g < len; g += span) {
                for (int k = 0; k < q; k += 2) {
                    int t = tw4Base + 3 * k;
                    int ia = g + k;
                    int ib = ia + q;
                    int ic = ib + q;
                    int ie = ic + q;
                    double w1r = tw4[t];
                    double w1i = tw4[t + 1];
                    double w2r = tw4[t + 2];
                    double w2i = tw4[t + 3];
                    double w3r = tw4[t + 4];
                    double w3i = tw4[t + 5];
                    double xr = d[ib];
                    double xi = d[ib + 1];
                    double br = w2r * xr - w2i * xi;
                    double bi = w2r * xi + w2i * xr;
                    xr = d[ic];
                    xi = d[ic + 1];
                    double cr = w1r * xr - w1i * xi;
                    double ci = w1r * xi + w1i * xr;
                    xr = d[ie];
                    xi = d[ie + 1];
                    double er = w3r * xr - w3i * xi;
                    double ei = w3r * xi + w3i * xr;
                    double ar = d[ia];
                    double ai = d[ia + 1];
                    double t0r = ar + br;
                    double t0i = ai + bi;
                    double t1r = ar - br;
                    double t1i = ai - bi;
                    double t2r = cr + er;
                    double t2i = ci + ei;
                    double t3r = cr - er;
                    double t3i = ci - ei;
                    d[ia] = t0r + t2r;
                    d[ia + 1] = t0i + t2i;
                    d[ic] = t0r - t2r;
                    d[ic + 1] = t0i - t2i;
                    // -i (C - E) = (t3i, -t3r)
                    d[ib] = t1r + t3i;
                    d[ib + 1] = t1i - t3r;
                    d[ie] = t1r - t3i;
                    d[ie + 1] = t1i + t3r;
                }
            }
            tw4Base += 6 * h;
        }
        // A last single radix-2 stage when the number of remaining stages is odd.
        for (; h < m; h <<= 1) {
            ComplexFft.radix2Stage(d, len, h, tw, 2 * (h - 4));
        }
    }

    /** Turns the complex FFT Z (in d) of the even/odd-interleaved input into the packed real spectrum X (out). */
    private void splitReal(double[] d, double[] out) {
        double z0r = d[0];
        double z0i = d[1];
        out[0] = z0r + z0i; // X[0]
        out[1] = z0r - z0i; // X[n/2]
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
            out[p] = er + tr;
            out[p + 1] = ei + ti;
            out[q] = er - tr;
            out[q + 1] = ti - ei;
        }
    }
}
