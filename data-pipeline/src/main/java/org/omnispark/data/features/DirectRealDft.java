package org.omnispark.data.features;

/**
 * Direct O(n^2) real DFT for any even size, in {@link RealFft}'s packed layout, for small sizes that are
 * not a power of two (below 64; larger ones use {@link BluesteinRealDft}); one cos/sin table of n entries,
 * indexed by {@code (j * k) mod n}, and one scratch copy of the input.
 */
final class DirectRealDft implements RealFft {
    private final int n;
    private final double[] cos;
    private final double[] sin;
    private final double[] input;

    DirectRealDft(int n) {
        if (n < 2 || n % 2 != 0) {
            throw new IllegalArgumentException("The real DFT needs an even size >= 2, got " + n);
        }
        this.n = n;
        this.cos = new double[n];
        this.sin = new double[n];
        for (int i = 0; i < n; i++) {
            double angle = 2.0 * Math.PI * i / n;
            cos[i] = Math.cos(angle);
            sin[i] = -Math.sin(angle);
        }
        this.input = new double[n];
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public void forward(double[] data) {
        ComplexFft.requireInput(data, n);
        System.arraycopy(data, 0, input, 0, n);
        int half = n / 2;
        for (int k = 0; k <= half; k++) {
            double re = 0;
            double im = 0;
            int idx = 0;
            for (int j = 0; j < n; j++) {
                re += input[j] * cos[idx];
                im += input[j] * sin[idx];
                idx += k;
                if (idx >= n) {
                    idx -= n;
                }
            }
            if (k == 0) {
                data[0] = re;
            } else if (k == half) {
                data[1] = re;
            } else {
                data[2 * k] = re;
                data[2 * k + 1] = im;
            }
        }
    }
}
