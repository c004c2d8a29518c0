package org.omnispark.data.audio;

import java.util.Random;

/**
 * Single-thread throughput of {@link Resampler} (and, for scale, of 16-bit WAV decoding), in seconds of audio per
 * second of wall time ("x real time"). A main(), not a test. Run after test-compile, e.g.:
 * <pre>
 * java -cp data-pipeline/target/classes:data-pipeline/target/test-classes \
 *     org.omnispark.data.audio.ResamplerBenchmark [seconds=60]
 * </pre>
 */
public final class ResamplerBenchmark {
    private ResamplerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Resampler[] cases = {
            Resampler.of(8000, 16000), Resampler.of(22050, 16000), Resampler.of(44100, 16000),
            Resampler.of(48000, 16000), Resampler.of(44100, 16000).optZeroCrossings(16),
            Resampler.of(16000, 17600), Resampler.of(17600, 16000)};
        System.out.printf("%d s of noise per run, best of 5 runs after 2 warm-ups, 1 thread%n", seconds);
        for (Resampler r : cases) {
            float[] in = noise(r.fromRate() * seconds, r.fromRate());
            double best = Double.MAX_VALUE;
            float sink = 0;
            for (int run = 0; run < 7; run++) {
                long t0 = System.nanoTime();
                float[] out = r.resample(in);
                double s = (System.nanoTime() - t0) / 1e9;
                sink += out[out.length / 2];
                if (run >= 2) {
                    best = Math.min(best, s);
                }
            }
            System.out.printf("%-90s %8.1f ms  %7.0fx real time  (sink %.3f)%n", r, best * 1e3, seconds / best, sink);
        }
        byte[] wav = WavBytes.pcm16(16000, 1, toPcm(noise(16000 * seconds, 16000)));
        double best = Double.MAX_VALUE;
        for (int run = 0; run < 7; run++) {
            long t0 = System.nanoTime();
            AudioDecoder.decode(wav, "bench.wav");
            double s = (System.nanoTime() - t0) / 1e9;
            if (run >= 2) {
                best = Math.min(best, s);
            }
        }
        System.out.printf("%-90s %8.1f ms  %7.0fx real time%n", "AudioDecoder.decode, 16-bit mono WAV 16 kHz",
                best * 1e3, seconds / best);
    }

    private static float[] noise(int n, int seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.3 * rnd.nextGaussian());
        }
        return x;
    }

    private static int[] toPcm(float[] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768)));
        }
        return out;
    }
}
