package org.omnispark.data.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.ingest.JsonLinesManifest;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.ingest.ParsedLine;
import org.omnispark.data.synth.CorpusSynthesizer;

/**
 * End-to-end benchmark of {@code prepare} (not a test). A one-hour espeak-ng corpus (format mix, 5% damaged files,
 * 5% corrupted labels) is prepared on local Spark as it is and replicated (the same audio under new keys), so that
 * the fixed cost and the steady-state rate can be told apart: steady state = the extra audio of the larger corpus
 * over the extra wall time. Prints x real time (wall, per core), the phases, the JVM's peak heap for each size, the
 * accounting against the corpus's truth file (1x run), and two references measured in the same run: the same
 * per-utterance work (decode, resample, fbank, tokenize) on one thread without Spark, and the torchaudio per-file
 * pipeline (bench_torchaudio_prepare.py).
 *
 * <pre>
 *   java -cp CLASSPATH [-Domnispark.bench.overrides="output.compression=none ..."] \
 *       org.omnispark.data.job.PrepareBenchmark WORK_DIR [UTTERANCES=1340] [CORES=2] [REPLICAS=10]
 * </pre>
 */
public final class PrepareBenchmark {
    private PrepareBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "runs/bench-prepare");
        int utterances = args.length > 1 ? Integer.parseInt(args[1]) : 1340;
        int cores = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int replicas = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path corpus = work.resolve("corpus-" + utterances);
        if (!Files.exists(corpus.resolve("truth.jsonl"))) {
            CorpusSynthesizer.builder().setOutputDir(corpus).setUtterances(utterances).optSeed(42)
                    .optDamagedAudioFraction(0.05).optCorruptLabelFraction(0.05).optFormatMix(true).build()
                    .synthesize();
        }
        Path x1 = replicate(corpus, work, 1);
        Path xn = replicate(corpus, work, replicas);
        System.out.printf("cpu: %s, %d cores for Spark%n", cpuModel(), cores);
        double[] one;
        double[] many;
        Map<String, String> rejects = new TreeMap<>();
        PrepareReport report1;
        try (SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("bench")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8").getOrCreate()) {
            run(spark, x1, work.resolve("warmup"), cores); // JIT and Spark warm-up, not counted
            one = run(spark, x1, work.resolve("dataset-x1"), cores);
            report1 = lastReport;
            for (Row r : spark.read().parquet(work.resolve("dataset-x1/rejects").toString()).collectAsList()) {
                rejects.put(r.getString(0), r.getString(1));
            }
            many = run(spark, xn, work.resolve("dataset-x" + replicas), cores);
        }
        double steady = (many[0] - one[0]) / (many[1] - one[1]);
        double fixed = one[1] - one[0] / steady;
        System.out.printf("RESULT steady_state x_real_time=%.0f per_core=%.0f (extra %.0f s audio in extra %.1f s)"
                + " fixed_overhead_s=%.1f%n", steady, steady / cores, many[0] - one[0], many[1] - one[1], fixed);

        Map<String, JsonNode> truth = TestCorpora.truth(corpus);
        int mismatches = 0;
        for (JsonNode t : truth.values()) {
            String key = t.get("key").asText();
            String expected = !t.get("expected_reject").isNull() ? t.get("expected_reject").asText()
                    : t.get("confidence").asDouble() < 0.6 ? "LOW_CONFIDENCE" : null;
            if (!java.util.Objects.equals(expected, rejects.get(key))) {
                mismatches++;
                System.out.println("MISMATCH " + key + " expected " + expected + " got " + rejects.get(key));
            }
        }
        System.out.printf("accounting (1x): %d input = %d accepted + %d rejected; %d rows differ from truth.jsonl%n",
                report1.inputRows(), report1.acceptedRows(), report1.rejectedRows(), mismatches);
        singleThreadReference(x1);
        Path script = TestCorpora.repoRoot().resolve("data-pipeline/src/test/python/bench_torchaudio_prepare.py");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), corpus.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            r.lines().forEach(System.out::println);
        }
        p.waitFor();
    }

    private static PrepareReport lastReport;
    /** The most heap in use right after a garbage collection (live data, roughly), since the last reset. */
    private static final java.util.concurrent.atomic.AtomicLong LIVE_PEAK = new java.util.concurrent.atomic.AtomicLong();

    static {
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((javax.management.NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo
                        .GARBAGE_COLLECTION_NOTIFICATION)) {
                    var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                            (javax.management.openmbean.CompositeData) n.getUserData());
                    long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                            .mapToLong(java.lang.management.MemoryUsage::getUsed).sum();
                    LIVE_PEAK.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
    }

    /** Runs prepare; returns {audio seconds, wall seconds}. */
    private static double[] run(SparkSession spark, Path manifest, Path out, int cores) {
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(m -> m.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        LIVE_PEAK.set(0);
        long cpu0 = processCpuNanos();
        List<String> overrides = new ArrayList<>(List.of("output.num_shards=8"));
        String extra = System.getProperty("omnispark.bench.overrides", "");
        if (!extra.isBlank()) {
            overrides.addAll(List.of(extra.trim().split("\\s+")));
        }
        PrepareReport report = PrepareJob.builder().setSpark(spark)
                .setConfig(TestCorpora.config(List.of(manifest.toString()), overrides.toArray(String[]::new)))
                .setOutput(out.toString()).optOverwrite(true).build().run();
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        long peak = heap.stream().mapToLong(m -> m.getPeakUsage().getUsed()).sum();
        lastReport = report;
        double audio = report.hours() * 3600;
        System.out.print(report.summary());
        System.out.printf("RESULT prepare manifest=%s cores=%d rows=%d audio_s=%.1f wall_s=%.2f x_real_time=%.0f "
                        + "x_real_time_per_core=%.0f process_cpu_s=%.1f peak_heap_mb=%d live_after_gc_peak_mb=%d"
                        + " max_heap_mb=%d%n", manifest.getFileName(), cores, report.inputRows(), audio,
                report.seconds(), audio / report.seconds(), audio / report.seconds() / cores, cpu, peak >> 20,
                LIVE_PEAK.get() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        return new double[] {audio, report.seconds()};
    }

    /** The corpus manifest with absolute audio paths, repeated n times under new keys. */
    private static Path replicate(Path corpus, Path work, int n) throws Exception {
        Path out = work.resolve("manifest-x" + n + ".jsonl");
        ObjectMapper m = new ObjectMapper();
        List<String> lines = Files.readAllLines(corpus.resolve("manifest.jsonl"));
        List<String> outLines = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            for (String line : lines) {
                JsonNode node;
                try {
                    node = m.readTree(line);
                } catch (Exception e) {
                    outLines.add(line); // malformed on purpose: kept as is, once per replica
                    continue;
                }
                if (node instanceof ObjectNode o) {
                    if (r > 0 && o.has("key")) {
                        o.put("key", o.get("key").asText() + "~" + r);
                    }
                    if (o.has("audio_filepath") && !o.get("audio_filepath").asText().startsWith("/")) {
                        o.put("audio_filepath", corpus.resolve(o.get("audio_filepath").asText()).toString());
                    }
                    outLines.add(m.writeValueAsString(o));
                } else {
                    outLines.add(line);
                }
            }
        }
        Files.write(out, outLines);
        return out;
    }

    /** The per-utterance work of the job on one thread, without Spark: the ceiling of the job's per-core rate. */
    private static void singleThreadReference(Path manifest) throws Exception {
        PrepareConfig config = TestCorpora.config(List.of(manifest.toString()), "filters.min_confidence=0");
        List<ManifestEntry> entries = new ArrayList<>();
        long line = 0;
        for (String l : Files.readAllLines(manifest)) {
            ParsedLine p = JsonLinesManifest.parse(l, manifest.toString(), line++);
            if (!p.isMalformed()) {
                entries.add(p.entry());
            }
        }
        UtteranceProcessor.Recipe recipe = TestCorpora.recipe(config, entries);
        double best = 0;
        for (int rep = 0; rep < 3; rep++) {
            UtteranceProcessor processor = UtteranceProcessor.forPartition(recipe);
            long t0 = System.nanoTime();
            double audio = 0;
            for (ManifestEntry e : entries) {
                for (Row r : processor.process(e)) {
                    if (r.isNullAt(ProcessedRows.REJECT_REASON)) {
                        audio += r.getDouble(7);
                    }
                }
            }
            best = Math.max(best, audio / ((System.nanoTime() - t0) / 1e9));
        }
        System.out.printf("RESULT reference one_thread_no_spark x_real_time=%.0f (decode, resample, fbank,"
                + " tokenize, filters; best of 3)%n", best);
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
