package org.omnispark.data.features;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Single-thread speed of {@link Fbank} (80 log-mel bins, OmniSpark defaults) in x real time, next to
 * torchaudio's kaldi.fbank (one thread) on the same audio. Both wall-clock and CPU-time (thread CPU time in
 * Java, process CPU time in Python) figures are printed: on a shared machine the CPU-time ones are the
 * steadier measure of per-core speed. Not a test: run it by hand, e.g.
 *
 * <pre>
 * mvn -B -o -q -pl data-pipeline -Domnispark.build.dir=target-fbank test-compile
 * java -cp data-pipeline/target-fbank/classes:data-pipeline/target-fbank/test-classes \
 *     org.omnispark.data.features.FbankBenchmark 60 9
 * </pre>
 * (from the repository root; it needs no dependency jars. exec:java with -Dexec.classpathScope=test works
 * as well where exec-maven-plugin's parent POM can be resolved.)
 *
 * Arguments: [seconds of audio, default 60] [timed repeats, default 7] [optional 16 kHz int16 LE .raw file to
 * use instead of espeak-ng]. The audio is real speech from espeak-ng (sox to 16 kHz 16-bit, repeated to the
 * length asked for), generated in a temp dir; if espeak-ng or sox is missing it falls back to synthetic
 * audio and says so. The torchaudio reference runs
 * {@code data-pipeline/src/test/python/bench_torchaudio_fbank.py} with /usr/bin/python3 (another interpreter
 * with -Dfbank.bench.python=PATH; skipped with a message if it or the script is missing).
 */
public final class FbankBenchmark {
    private static final int SAMPLE_RATE = 16000;
    private static final String TEXT = "Speech recognition systems turn audio into text. The filterbank features"
            + " summarize the short time spectrum of the signal on a mel scale. Mixture of experts models route"
            + " each frame to one of several feed forward networks, which lets the model grow without slowing"
            + " down inference. Seven quiet rivers flow past the old stone bridge near the village.";

    private FbankBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 60.0;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Path tmp = Files.createTempDirectory("fbank-bench");
        try {
            short[] pcm = args.length > 2 ? repeat(readRaw(Path.of(args[2])), (int) (seconds * SAMPLE_RATE), args[2])
                    : speechOrSynthetic(tmp, (int) (seconds * SAMPLE_RATE));
            float[] samples = new float[pcm.length];
            for (int i = 0; i < pcm.length; i++) {
                samples[i] = pcm[i] / 32768f;
            }
            double audioSeconds = pcm.length / (double) SAMPLE_RATE;
            double[] javaX = benchJava(samples, audioSeconds, repeats);

            Path raw = tmp.resolve("bench.raw");
            ByteBuffer buf = ByteBuffer.allocate(2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
            for (short s : pcm) {
                buf.putShort(s);
            }
            Files.write(raw, buf.array());
            double[] torchX = benchTorchaudio(raw, repeats);
            System.out.printf("RESULT wall: java_x_real_time=%.0f torchaudio_x_real_time=%s ratio=%s%n", javaX[0],
                    fmt(torchX[0], "%.0f"), fmt(javaX[0] / torchX[0], "%.2f"));
            System.out.printf("RESULT cpu:  java_x_real_time=%.0f torchaudio_x_real_time=%s ratio=%s%n", javaX[1],
                    fmt(torchX[1], "%.0f"), fmt(javaX[1] / torchX[1], "%.2f"));
        } finally {
            try (var paths = Files.walk(tmp)) {
                paths.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Returns {x real time by wall clock (median), x real time by thread CPU time (median)}. */
    private static double[] benchJava(float[] samples, double audioSeconds, int repeats) {
        FbankOptions options = FbankOptions.defaults();
        Fbank fbank = new Fbank(options);
        float[] out = new float[fbank.numFrames(samples.length) * fbank.dim()];
        double checksum = 0;
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int warmRuns = 0;
        while (System.nanoTime() < warmEnd || warmRuns < 2) {
            fbank.computeInto(samples, 0L, out, 0);
            checksum += out[warmRuns % out.length];
            warmRuns++;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] times = new double[repeats];
        double[] cpuTimes = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            fbank.computeInto(samples, 0L, out, 0);
            times[r] = (System.nanoTime() - t0) / 1e9;
            cpuTimes[r] = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
            checksum += out[r % out.length];
        }
        Arrays.sort(times);
        Arrays.sort(cpuTimes);
        double median = times[repeats / 2];
        double cpuMedian = cpuTimes[repeats / 2];
        int frames = fbank.numFrames(samples.length);
        System.out.printf("java Fbank, 1 thread: %.1f s audio, %d frames x %d, %d warm-up runs; wall median %.1f ms"
                        + " (%.2f us/frame), best %.1f ms; thread CPU median %.1f ms (%.2f us/frame)%n",
                audioSeconds, frames, fbank.dim(), warmRuns, median * 1e3, median * 1e6 / frames, times[0] * 1e3,
                cpuMedian * 1e3, cpuMedian * 1e6 / frames);
        System.out.printf("java x real time: wall median %.0f, wall best %.0f, CPU-time median %.0f (checksum %.3f)%n",
                audioSeconds / median, audioSeconds / times[0], audioSeconds / cpuMedian, checksum);
        return new double[] {audioSeconds / median, audioSeconds / cpuMedian};
    }

    private static String fmt(double v, String format) {
        return Double.isNaN(v) ? "n/a" : String.format(format, v);
    }

    /** Returns {x real time by wall clock (median), by process CPU time (median)}, NaN where unavailable. */
    private static double[] benchTorchaudio(Path raw, int repeats) throws IOException, InterruptedException {
        double[] none = {Double.NaN, Double.NaN};
        Path script = findScript();
        Path python = Path.of(System.getProperty("fbank.bench.python", "/usr/bin/python3"));
        if (script == null || !Files.isExecutable(python)) {
            System.out.println("torchaudio reference skipped: " + python + " or bench_torchaudio_fbank.py not"
                    + " found (run from the repository root or data-pipeline/)");
            return none;
        }
        Process p = new ProcessBuilder(python.toString(), script.toString(), raw.toString(), "--sample-rate",
                String.valueOf(SAMPLE_RATE), "--num-mel-bins", "80", "--repeats", String.valueOf(repeats))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        System.out.print(output);
        if (rc != 0) {
            System.out.println("torchaudio reference failed with exit code " + rc);
            return none;
        }
        double[] result = none.clone();
        for (String line : output.split("\n")) {
            if (line.startsWith("RESULT ")) {
                for (String kv : line.substring(7).split(" ")) {
                    if (kv.startsWith("x_real_time_median=")) {
                        result[0] = Double.parseDouble(kv.substring("x_real_time_median=".length()));
                    } else if (kv.startsWith("x_real_time_cpu_median=")) {
                        result[1] = Double.parseDouble(kv.substring("x_real_time_cpu_median=".length()));
                    }
                }
            }
        }
        return result;
    }

    private static Path findScript() {
        for (String candidate : List.of("data-pipeline/src/test/python/bench_torchaudio_fbank.py",
                "src/test/python/bench_torchaudio_fbank.py")) {
            Path p = Path.of(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** espeak-ng speech at 16 kHz repeated to {@code numSamples}, or synthetic audio if the tools are missing. */
    private static short[] speechOrSynthetic(Path tmp, int numSamples) throws InterruptedException {
        try {
            Path wav = tmp.resolve("tts.wav");
            Path raw = tmp.resolve("tts.raw");
            run(List.of("espeak-ng", "-v", "en-us", "-w", wav.toString(), TEXT));
            run(List.of("sox", wav.toString(), "-r", String.valueOf(SAMPLE_RATE), "-b", "16", "-c", "1", "-e",
                    "signed-integer", "-t", "raw", "-L", raw.toString()));
            return repeat(readRaw(raw), numSamples, "espeak-ng speech");
        } catch (IOException e) {
            System.out.println("audio: SYNTHETIC (espeak-ng/sox unavailable: " + e.getMessage() + ")");
            Random random = new Random(42);
            short[] out = new short[numSamples];
            for (int i = 0; i < numSamples; i++) {
                double t = i / (double) SAMPLE_RATE;
                double v = 0.3 * Math.sin(2 * Math.PI * 220 * t) * (0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t))
                        + 0.1 * Math.sin(2 * Math.PI * 1370 * t) + 0.02 * random.nextGaussian();
                out[i] = (short) Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
            }
            return out;
        }
    }

    private static short[] readRaw(Path raw) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
        short[] clip = new short[bytes.remaining() / 2];
        bytes.asShortBuffer().get(clip);
        return clip;
    }

    private static short[] repeat(short[] clip, int numSamples, String what) {
        short[] out = new short[numSamples];
        for (int i = 0; i < numSamples; i++) {
            out[i] = clip[i % clip.length];
        }
        System.out.printf("audio: %s (%.1f s clip, repeated to %.1f s), 16 kHz%n", what,
                clip.length / (double) SAMPLE_RATE, numSamples / (double) SAMPLE_RATE);
        return out;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(command.get(0) + " failed: " + output.trim());
        }
    }
}
