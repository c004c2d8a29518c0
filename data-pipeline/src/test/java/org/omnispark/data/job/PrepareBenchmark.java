package org.omnispark.data.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.synth.CorpusSynthesizer;

/**
 * End-to-end benchmark of {@code prepare} (not a test): a one-hour espeak-ng corpus with 5% damaged files is
 * prepared on local Spark; prints x real time (wall, and per core), the phases, checks the accounting against the
 * corpus's truth file exactly, and runs the torchaudio per-file reference (bench_torchaudio_prepare.py) on the same
 * corpus for the ratio.
 *
 * <pre>
 *   java -cp CLASSPATH org.omnispark.data.job.PrepareBenchmark WORK_DIR [UTTERANCES=1340] [CORES=2]
 * </pre>
 */
public final class PrepareBenchmark {
    private PrepareBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "runs/bench-prepare");
        int utterances = args.length > 1 ? Integer.parseInt(args[1]) : 1340;
        int cores = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path corpus = work.resolve("corpus-" + utterances);
        if (!Files.exists(corpus.resolve("truth.jsonl"))) {
            CorpusSynthesizer.builder().setOutputDir(corpus).setUtterances(utterances).optSeed(42)
                    .optDamagedAudioFraction(0.05).optCorruptLabelFraction(0.05).optFormatMix(true).build()
                    .synthesize();
        }
        Map<String, JsonNode> truth = TestCorpora.truth(corpus);
        PrepareReport report;
        Map<String, String> rejects = new TreeMap<>();
        try (SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("bench")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8").getOrCreate()) {
            long cpu0 = processCpuNanos();
            report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(corpus.resolve("manifest.jsonl").toString()),
                            "output.num_shards=8"))
                    .setOutput(work.resolve("dataset").toString()).optOverwrite(true).build().run();
            double cpu = (processCpuNanos() - cpu0) / 1e9;
            for (Row r : spark.read().parquet(work.resolve("dataset/rejects").toString()).collectAsList()) {
                rejects.put(r.getString(0), r.getString(1));
            }
            System.out.print(report.summary());
            double audio = report.hours() * 3600;
            System.out.printf("RESULT prepare cores=%d audio_s=%.1f wall_s=%.1f x_real_time=%.1f "
                    + "x_real_time_per_core=%.1f process_cpu_s=%.1f x_real_time_per_cpu_s=%.1f%n", cores, audio,
                    report.seconds(), audio / report.seconds(), audio / report.seconds() / cores, cpu, audio / cpu);
        }
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
        System.out.printf("accounting: %d input = %d accepted + %d rejected; %d rows differ from truth.jsonl%n",
                report.inputRows(), report.acceptedRows(), report.rejectedRows(), mismatches);
        Path script = TestCorpora.repoRoot().resolve("data-pipeline/src/test/python/bench_torchaudio_prepare.py");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), corpus.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            r.lines().forEach(System.out::println);
        }
        p.waitFor();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
