package org.omnispark.data.job;

import org.omnispark.io.HadoopConf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.omnispark.data.synth.CorpusSynthesizer;

/** Shared fixtures of the job tests: a real espeak-ng corpus (made once per JVM) and a local SparkSession. */
final class TestCorpora {
    private static final Map<String, Path> CORPORA = new LinkedHashMap<>();

    private TestCorpora() {
    }

    /** A synthesized corpus with format mix, damaged audio and corrupted labels; cached per arguments. */
    static synchronized Path corpus(int utterances, long seed, double damaged) throws IOException {
        org.omnispark.data.tools.RequiredTools.check(onPath("espeak-ng") && onPath("sox"),
                "espeak-ng and sox are needed: apt-get install espeak-ng sox");
        String id = utterances + "-" + seed + "-" + damaged;
        Path dir = CORPORA.get(id);
        if (dir == null) {
            dir = Files.createTempDirectory("omnispark-corpus-" + id);
            CorpusSynthesizer.builder().setOutputDir(dir).setUtterances(utterances).optSeed(seed)
                    .optDamagedAudioFraction(damaged).optCorruptLabelFraction(0.1).optFormatMix(true)
                    .optThreads(2).build().synthesize();
            CORPORA.put(id, dir);
        }
        return dir;
    }

    /** truth.jsonl rows by key. */
    static Map<String, JsonNode> truth(Path corpus) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        ObjectMapper m = new ObjectMapper();
        for (String line : Files.readAllLines(corpus.resolve("truth.jsonl"))) {
            JsonNode n = m.readTree(line);
            out.put(n.get("key").asText(), n);
        }
        return out;
    }

    /**
     * {@code omnispark ARGS} ({@code org.omnispark.cli.Main}) in a new JVM with this JVM's classpath and module
     * options, on loopback, its output in {@code log}: for commands that own and stop their SparkSession.
     */
    static Process startMain(Path log, String... args) throws IOException {
        return startMain(log, List.of(), args);
    }

    /** {@code org.omnispark.cli.Main ARGS} in a JVM of its own with these extra JVM options, its output in log. */
    static Process startMain(Path log, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("--add-modules")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"), "org.omnispark.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    static SparkSession spark() {
        return SparkSession.builder().master("local[2]").appName("omnispark-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    static PrepareConfig config(List<String> manifests, String... overrides) {
        Path yaml = repoRoot().resolve("conf/data/prepare.yaml");
        return org.omnispark.data.config.ConfigLoader.load(yaml, List.of(overrides), PrepareConfig.class)
                .withExtraManifests(manifests);
    }

    /**
     * The recipe the job would ship to executors for these entries, without Spark: the config's normalizer and
     * fbank options (at 16 kHz) and a character vocabulary of the entries' normalized texts.
     */
    static UtteranceProcessor.Recipe recipe(PrepareConfig config, List<org.omnispark.data.ingest.ManifestEntry> entries) {
        org.omnispark.data.text.TextNormalizer norm = new org.omnispark.data.text.TextNormalizer(
                org.omnispark.data.text.TextNormalizerOptions.fromMap(config.text().normalizer()));
        java.util.Set<String> chars = new java.util.TreeSet<>();
        entries.forEach(e -> norm.normalize(e.text()).codePoints()
                .forEach(c -> chars.add(new String(Character.toChars(c)))));
        Map<String, Object> fbank = new LinkedHashMap<>(config.fbank());
        fbank.put("sample_frequency", 16000.0);
        return new UtteranceProcessor.Recipe(config, org.omnispark.data.features.FbankOptions.fromMap(fbank), norm,
                org.omnispark.data.text.CharTokenizer.build(new java.util.ArrayList<>(chars), 1),
                new HadoopConf(new org.apache.hadoop.conf.Configuration()));
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("conf/data/prepare.yaml"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (conf/data/prepare.yaml)");
        }
        return p;
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
