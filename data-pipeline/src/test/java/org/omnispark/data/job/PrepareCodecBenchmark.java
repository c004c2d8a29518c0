package org.omnispark.data.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.Deadline;
import org.omnispark.data.audio.Audio;
import org.omnispark.data.audio.AudioDecoder;
import org.omnispark.data.audio.DecodeLimits;
import org.omnispark.data.synth.CorpusSynthesizer;

/**
 * {@code prepare} on the same one-hour espeak-ng corpus as WAV, as MP3 and as Ogg Opus (not a test): issue 23's
 * throughput question, whether decoding web codecs becomes the bottleneck. The clean corpus (no damage, WAV at the
 * synthesizer's rate) is transcoded once with ffmpeg: MP3 by libmp3lame at 48 kbit/s (Common Voice's and Emilia's
 * kind of file), Opus by libopus at 32 kbit/s (GigaSpeech's, YODAS's). Two measurements per format, each as
 * {@code REPEATS} interleaved repeats (WAV, MP3, Opus, WAV, ...) reported as min / median / max:
 * <ul>
 *   <li>decode only: every file's bytes (in memory) through {@link AudioDecoder} on one thread, x real time per
 *       core (the codec's own cost);</li>
 *   <li>the whole job on local Spark: the corpus once and replicated {@code REPLICAS} times (same files, new keys);
 *       steady state = the extra audio over the extra wall time, divided by the cores.</li>
 * </ul>
 *
 * <pre>
 *   submit/omnispark bench prepare-codecs WORK_DIR [UTTERANCES=1340] [CORES=2] [REPLICAS=4] [REPEATS=3]
 * </pre>
 */
public final class PrepareCodecBenchmark {
    private static final List<String> FORMATS = List.of("wav", "mp3", "opus");

    private PrepareCodecBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "runs/bench-prepare-codecs").toAbsolutePath();
        int utterances = args.length > 1 ? Integer.parseInt(args[1]) : 1340;
        int cores = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int replicas = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Path corpus = work.resolve("corpus-" + utterances);
        if (!Files.exists(corpus.resolve("manifest.jsonl"))) {
            CorpusSynthesizer.builder().setOutputDir(corpus).setUtterances(utterances).optSeed(42)
                    .optDamagedAudioFraction(0).optCorruptLabelFraction(0).optFormatMix(false).build()
                    .synthesize();
        }
        Map<String, List<Path>> files = new LinkedHashMap<>();
        Map<String, List<Path>> manifests = new LinkedHashMap<>();
        for (String format : FORMATS) {
            files.put(format, transcode(corpus, work.resolve(format), format, cores));
            manifests.put(format, List.of(manifest(corpus, work, format, 1), manifest(corpus, work, format,
                    replicas)));
        }
        System.out.printf("cpu: %s, %d cores for Spark; %d utterances, %d replicas, %d interleaved repeats%n",
                PrepareBenchmark.cpuModel(), cores, utterances, replicas, repeats);

        Map<String, double[]> decode = new LinkedHashMap<>();
        Map<String, double[]> job = new LinkedHashMap<>();
        FORMATS.forEach(f -> {
            decode.put(f, new double[repeats]);
            job.put(f, new double[repeats]);
        });
        Map<String, List<byte[]>> bytes = new LinkedHashMap<>();
        for (String f : FORMATS) {
            List<byte[]> all = new ArrayList<>();
            for (Path p : files.get(f)) {
                all.add(Files.readAllBytes(p));
            }
            bytes.put(f, all);
            decodeRate(all); // warm-up, not counted
        }
        for (int r = 0; r < repeats; r++) {
            for (String f : FORMATS) {
                decode.get(f)[r] = decodeRate(bytes.get(f));
                System.out.printf("RESULT decode format=%s repeat=%d x_real_time_per_core=%.0f%n", f, r,
                        decode.get(f)[r]);
            }
        }
        try (SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("bench-codecs")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8").getOrCreate()) {
            run(spark, manifests.get("wav").get(0), work.resolve("warmup")); // JIT and Spark warm-up
            for (int r = 0; r < repeats; r++) {
                for (String f : FORMATS) {
                    double[] one = run(spark, manifests.get(f).get(0), work.resolve("ds-" + f + "-x1"));
                    double[] many = run(spark, manifests.get(f).get(1), work.resolve("ds-" + f + "-xn"));
                    job.get(f)[r] = (many[0] - one[0]) / (many[1] - one[1]) / cores;
                    System.out.printf("RESULT job format=%s repeat=%d steady_x_real_time_per_core=%.0f (x1 %.1f s,"
                            + " x%d %.1f s wall)%n", f, r, job.get(f)[r], one[1], replicas, many[1]);
                }
            }
        }
        System.out.println("| format | decode only, x real time per core (min / median / max) | vs WAV (median) "
                + "| whole job, steady state per core (min / median / max) | vs WAV (median) |");
        for (String f : FORMATS) {
            System.out.printf("| %s | %s | %.2f | %s | %.2f |%n", f, mmm(decode.get(f)), median(decode.get(f))
                    / median(decode.get("wav")), mmm(job.get(f)), median(job.get(f)) / median(job.get("wav")));
        }
    }

    /** x real time of decoding every file once on this thread. */
    private static double decodeRate(List<byte[]> files) throws Exception {
        long t0 = System.nanoTime();
        double audio = 0;
        for (int i = 0; i < files.size(); i++) {
            Audio a = AudioDecoder.decode(files.get(i), "bench-" + i, 0, -1, new DecodeLimits(3600, Deadline.NONE));
            audio += a.samples().length / (double) a.sampleRate();
        }
        return audio / ((System.nanoTime() - t0) / 1e9);
    }

    /** Runs prepare; {audio seconds, wall seconds}. */
    private static double[] run(SparkSession spark, Path manifest, Path out) {
        PrepareReport report = PrepareJob.builder().setSpark(spark)
                .setConfig(TestCorpora.config(List.of(manifest.toString()), "output.num_shards=8",
                        "filters.min_confidence=0"))
                .setOutput(out.toString()).optOverwrite(true).optProgress(new java.io.PrintStream(
                        java.io.OutputStream.nullOutputStream()), 600).build().run();
        if (report.rejectedRows() > 0) {
            System.out.println("WARNING " + manifest.getFileName() + ": " + report.summary());
        }
        return new double[] {report.hours() * 3600, report.seconds()};
    }

    /** Each corpus WAV as {@code format} under {@code dir} (kept between runs), in manifest order. */
    private static List<Path> transcode(Path corpus, Path dir, String format, int threads) throws Exception {
        Files.createDirectories(dir);
        List<Path> sources = new ArrayList<>();
        ObjectMapper m = new ObjectMapper();
        for (String line : Files.readAllLines(corpus.resolve("manifest.jsonl"))) {
            sources.add(corpus.resolve(m.readTree(line).get("audio_filepath").asText()));
        }
        if (format.equals("wav")) {
            return sources;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Path>> out = new ArrayList<>();
            for (Path src : sources) {
                Path dst = dir.resolve(src.getFileName().toString().replaceAll("\\.[^.]+$", "") + "." + format);
                out.add(pool.submit(() -> {
                    if (!Files.exists(dst)) {
                        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-loglevel", "error", "-y",
                                "-i", src.toString()));
                        cmd.addAll(format.equals("mp3") ? List.of("-c:a", "libmp3lame", "-b:a", "48k")
                                : List.of("-c:a", "libopus", "-b:a", "32k"));
                        cmd.add(dst.toString());
                        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                        String log = new String(p.getInputStream().readAllBytes());
                        if (p.waitFor() != 0) {
                            throw new IllegalStateException("ffmpeg failed on " + src + ": " + log);
                        }
                    }
                    return dst;
                }));
            }
            List<Path> done = new ArrayList<>();
            for (Future<Path> f : out) {
                done.add(f.get());
            }
            return done;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The corpus manifest with its audio as {@code format} (absolute paths), repeated n times under new keys. */
    private static Path manifest(Path corpus, Path work, String format, int n) throws Exception {
        ObjectMapper m = new ObjectMapper();
        List<String> lines = Files.readAllLines(corpus.resolve("manifest.jsonl"));
        List<String> out = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            for (String line : lines) {
                ObjectNode o = (ObjectNode) m.readTree(line);
                Path wav = corpus.resolve(o.get("audio_filepath").asText());
                Path audio = format.equals("wav") ? wav : work.resolve(format).resolve(wav.getFileName().toString()
                        .replaceAll("\\.[^.]+$", "") + "." + format);
                o.put("audio_filepath", audio.toString());
                if (r > 0) {
                    o.put("key", o.get("key").asText() + "~" + r);
                }
                out.add(m.writeValueAsString(o));
            }
        }
        Path file = work.resolve("manifest-" + format + "-x" + n + ".jsonl");
        Files.write(file, out);
        return file;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String mmm(double[] v) {
        return String.format("%.0f / %.0f / %.0f", Arrays.stream(v).min().orElse(0), median(v),
                Arrays.stream(v).max().orElse(0));
    }
}
