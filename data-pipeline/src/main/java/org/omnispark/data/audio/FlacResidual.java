package org.omnispark.data.audio;

import org.omnispark.data.RejectReason;
import org.omnispark.data.audio.FlacBitReader.EndOfData;

/** FLAC's partitioned Rice residual and its fixed and LPC predictors (RFC 9639 sections 9.2.5-9.2.7). */
final class FlacResidual {
    private FlacResidual() {
    }

    /** Reads the residual of samples [order, size) into out[order..size). */
    static void read(FlacBitReader in, long[] out, int size, int order, int frameStart, String name)
            throws AudioFormatException, EndOfData {
        int method = in.uint(2);
        if (method > 1) {
            throw corrupt(name, "a reserved residual coding method", frameStart);
        }
        int paramBits = method == 0 ? 4 : 5;
        int escape = (1 << paramBits) - 1;
        int partitionOrder = in.uint(4);
        int partitionSize = size >> partitionOrder;
        if ((partitionSize << partitionOrder) != size || partitionSize < order) {
            throw corrupt(name, "2^" + partitionOrder + " residual partitions for " + size + " samples of order "
                    + order, frameStart);
        }
        int i = order;
        for (int part = 0; part < 1 << partitionOrder; part++) {
            int end = (part + 1) * partitionSize;
            int param = in.uint(paramBits);
            if (param == escape) {
                int raw = in.uint(5);
                for (; i < end; i++) {
                    out[i] = raw == 0 ? 0 : in.sint(raw);
                }
                continue;
            }
            for (; i < end; i++) {
                long q = in.unary();
                if (q >= 1L << (33 - param)) {
                    throw corrupt(name, "a residual beyond 32 bits", frameStart);
                }
                long v = q << param | in.bits(param);
                out[i] = (v >>> 1) ^ -(v & 1);
            }
        }
    }

    /** out[i] += the fixed polynomial prediction of order 0-4 from the previous samples, for i in [order, size). */
    static void fixedPredict(long[] s, int size, int order) {
        for (int i = order; i < size; i++) {
            switch (order) {
                case 1 -> s[i] += s[i - 1];
                case 2 -> s[i] += 2 * s[i - 1] - s[i - 2];
                case 3 -> s[i] += 3 * s[i - 1] - 3 * s[i - 2] + s[i - 3];
                case 4 -> s[i] += 4 * s[i - 1] - 6 * s[i - 2] + 4 * s[i - 3] - s[i - 4];
                default -> { }
            }
        }
    }

    /** out[i] += (sum_j coefs[j] * out[i - 1 - j]) >> shift, for i in [order, size). */
    static void lpcPredict(long[] s, int size, long[] coefs, int shift) {
        int order = coefs.length;
        for (int i = order; i < size; i++) {
            long sum = 0;
            for (int j = 0; j < order; j++) {
                sum += coefs[j] * s[i - 1 - j];
            }
            s[i] += sum >> shift;
        }
    }

    private static AudioFormatException corrupt(String name, String what, int frameStart) {
        return new AudioFormatException(RejectReason.CORRUPT_AUDIO, name + ": FLAC frame at byte " + frameStart
                + " has " + what + ": the data is damaged; re-encode it with: flac -f -o out.flac in.wav");
    }
}
