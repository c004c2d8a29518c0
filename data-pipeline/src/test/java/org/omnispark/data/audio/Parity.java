package org.omnispark.data.audio;

/**
 * How close a decoder's samples are to a reference decoding (ffmpeg's, stored as 16-bit PCM), over the reference's
 * samples: the largest absolute difference (1.0 full scale; one 16-bit step is 1/32768) and the SNR in dB (infinite
 * when equal). Shared by the codec parity tests (MP3, Opus in Ogg and WebM, Vorbis).
 *
 * @param maxDiff max |got - want|
 * @param snrDb 10 log10(sum want^2 / sum (got - want)^2)
 */
record Parity(double maxDiff, double snrDb) {
    static Parity of(double[] want, float[] got) {
        double maxDiff = 0;
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < want.length; i++) {
            double d = got[i] - want[i];
            maxDiff = Math.max(maxDiff, Math.abs(d));
            signal += want[i] * want[i];
            noise += d * d;
        }
        return new Parity(maxDiff, noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise));
    }
}
