package org.omnispark.app;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application jar as built by this module's {@code package} phase (run by failsafe in {@code integration-test}):
 * what is in it, what must not be, and that spark-submit runs it on nothing but Spark's own jars.
 *
 * <p>"Spark's jars" are this module's classpath minus what the application jar packs and the test libraries:
 * spark-sql and what it brings, Hadoop's client, Arrow, Parquet, Jackson YAML, Netty (written by
 * {@code dependency:build-classpath} to {@code target/spark.classpath}).
 */
class ApplicationJarIT {
    private static Path jar;
    private static List<String> sparkJars;
    private static Set<String> entries;

    @BeforeAll
    static void open() throws IOException {
        jar = Path.of(System.getProperty("omnispark.app.jar"));
        assertTrue(Files.isRegularFile(jar), "no application jar at " + jar);
        sparkJars = List.of(Files.readString(Path.of(System.getProperty("omnispark.spark.classpath"))).trim()
                .split(File.pathSeparator));
        entries = new TreeSet<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements(); ) {
                entries.add(e.nextElement().getName());
            }
        }
    }

    private static List<String> matching(String regex) {
        return entries.stream().filter(n -> n.matches(regex)).toList();
    }

    /** No entry matches: the message names the first few and the count. */
    private static org.junit.jupiter.api.function.Executable none(String what, String regex) {
        return () -> {
            List<String> found = matching(regex);
            assertTrue(found.isEmpty(), what + ": " + found.size() + " entries, e.g. "
                    + found.subList(0, Math.min(8, found.size())));
        };
    }

    @Test
    void noTestCodeNoSparkNoLibtorch() throws IOException {
        Set<String> spark = new HashSet<>();
        for (String s : sparkJars) {
            if (s.endsWith(".jar")) {
                try (JarFile j = new JarFile(s)) {
                    j.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).forEach(spark::add);
                }
            }
        }
        long size = Files.size(jar);
        assertAll(
                none("test classes", ".*(Test|Tests|IT)(\\$.*)?\\.class"),
                none("JUnit", "org/junit/.*|junit/.*|org/opentest4j/.*|org/apiguardian/.*"),
                none("Hadoop, hadoop-client-minicluster", "org/apache/hadoop/.*|.*/Mini[A-Za-z]*Cluster[^/]*"),
                // Fixtures of the modules' test-jars: classes that do not end in Test but must not ship either.
                none("test fixtures", "org/omnispark/.*/(TinyDatasets|TestCorpora)(\\$.*)?\\.class"),
                none("what Spark ships", "org/apache/spark/.*|scala/.*|org/apache/arrow/.*|org/apache/parquet/.*"
                        + "|io/netty/.*|com/fasterxml/.*|org/slf4j/.*|org/apache/logging/.*|com/google/gson/.*"
                        + "|org/apache/commons/.*|META-INF/native/.*netty.*"),
                // libtorch (pytorch-native-cpu: pytorch/<flavour>/<os>/libtorch*.so, native/lib/pytorch.properties)
                none("libtorch natives", "pytorch/.*|native/lib/.*|.*lib(torch|c10|gomp)[^/]*\\.so.*"),
                () -> {
                    // The only native code inside: DJL's JNI bridge (pytorch-jni, needed by every libtorch flavour) and
                    // JNA's dispatch stub.
                    List<String> natives = matching(".*\\.(so|dll|dylib|jnilib)(\\.\\d+)*");
                    List<String> other = natives.stream().filter(n -> !n.matches(
                            "jnilib/[^/]+/[^/]+/(lib)?djl_torch\\.(so|dll|dylib)")
                            && !n.matches("com/sun/jna/[^/]+/(lib)?jnidispatch\\.(so|dll|jnilib|a)")).toList();
                    assertEquals(List.of(), other, "native libraries other than DJL's JNI bridge and JNA's");
                },
                () -> assertTrue(size < 60L << 20, "the jar is " + (size >> 20) + " MB: libtorch (112 MB) or Spark "
                        + "crept in"),
                () -> {
                    // Nothing may also be on Spark's classpath: a second copy is dead weight or a clash.
                    assertTrue(spark.size() > 10_000, "Spark's classpath looks empty: " + sparkJars);
                    List<String> both = entries.stream().filter(n -> n.endsWith(".class")
                            && !n.endsWith("module-info.class") && spark.contains(n)).toList();
                    assertTrue(both.isEmpty(), both.size() + " classes the cluster's Spark already has, e.g. "
                            + both.subList(0, Math.min(8, both.size())));
                });
    }

    @Test
    void allThreeModulesAndWhatSparkLacksAreIn() {
        for (String c : List.of("org/omnispark/cli/Main.class", "org/omnispark/data/cli/PrepareCommand.class",
                "org/omnispark/trainer/cli/TrainCommand.class",
                "org/omnispark/expertparallel/spark/SparkExpertParallelLauncher.class", "picocli/CommandLine.class",
                "ai/djl/engine/Engine.class", "ai/djl/pytorch/engine/PtEngine.class", "com/sun/jna/Native.class",
                "jnilib/linux-x86_64/cpu/libdjl_torch.so",
                // JLayer, the MP3 decoder (LGPL-2.1, unmodified and not relocated), with the synthesis window its
                // SynthesisFilter deserializes from the jar at the first MP3
                "javazoom/jl/decoder/Decoder.class", "javazoom/jl/decoder/sfd.ser",
                // Opus in Ogg and WebM: OmniSpark's page reader, EBML demuxer and decoder front end, Concentus
                // (BSD-3-Clause, not relocated) and its license text; Vorbis's ffmpeg runner
                "org/omnispark/data/audio/OggStream.class", "org/omnispark/data/audio/MatroskaDemuxer.class",
                "org/omnispark/data/audio/OpusPacketDecoder.class", "org/omnispark/data/audio/ExternalDecoder.class",
                "io/github/jaredmdobson/concentus/OpusDecoder.class", "META-INF/licenses/concentus-LICENSE.txt")) {
            assertTrue(entries.contains(c), c + " is missing");
        }
    }

    @Test
    void manifestNamesTheCliAndServiceFilesAreMerged() throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            assertEquals("org.omnispark.cli.Main", j.getManifest().getMainAttributes().getValue("Main-Class"));
            // Every module's registrations, all of them in the jar's one file per service.
            Path root = jar.getParent().getParent().getParent().getParent();
            int checked = 0;
            for (String module : List.of("data-pipeline/core", "data-pipeline", "trainer", "expert-parallel")) {
                Path services = root.resolve(module).resolve("src/main/resources/META-INF/services");
                if (!Files.isDirectory(services)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(services)) {
                    for (Path f : files.toList()) {
                        String merged = read(j, "META-INF/services/" + f.getFileName());
                        for (String line : Files.readAllLines(f)) {
                            if (!line.isBlank() && !line.startsWith("#")) {
                                assertTrue(merged.lines().anyMatch(l -> l.trim().equals(line.trim())),
                                        module + "'s " + line + " is lost from " + f.getFileName() + ":\n" + merged);
                                checked++;
                            }
                        }
                    }
                }
            }
            assertTrue(checked >= 6, "only " + checked + " registrations found under " + root);
            assertTrue(read(j, "META-INF/services/ai.djl.engine.EngineProvider")
                    .contains("ai.djl.pytorch.engine.PtEngineProvider"), "DJL's engine SPI");
        }
    }

    private static String read(JarFile j, String name) throws IOException {
        JarEntry e = j.getJarEntry(name);
        assertTrue(e != null, name + " is not in the jar");
        return new String(j.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
    }

    /** java OPENS -cp SPARK'S-JARS SparkSubmit --master local[1] --class Main APP-JAR ARGS, as spark-submit runs. */
    private static String sparkSubmit(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(System.getProperty("omnispark.jvm.opens").trim().split("\\s+")));
        // The application jar is NOT on -cp: SparkSubmit loads it into its own class loader, as on a cluster.
        cmd.addAll(List.of("-Xmx1g", "-cp", String.join(File.pathSeparator, sparkJars),
                "org.apache.spark.deploy.SparkSubmit", "--master", "local[1]", "--conf", "spark.ui.enabled=false",
                "--class", "org.omnispark.cli.Main", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_LOCAL_HOSTNAME", "localhost");
        pb.environment().remove("SPARK_HOME");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "spark-submit did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", args) + " through SparkSubmit:\n" + text);
        return text;
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void helpRunsThroughSparkSubmitOnSparksJarsOnly() throws Exception {
        String help = sparkSubmit("--help");
        assertTrue(help.contains("Usage: omnispark"), help);
        // One subcommand per module's registration: a lost service file loses its commands.
        for (String command : List.of("synth", "prepare", "train", "eval", "export")) {
            assertTrue(help.lines().anyMatch(l -> l.trim().startsWith(command + " ") || l.trim().equals(command)),
                    command + " is not listed:\n" + help);
        }
        String prepare = sparkSubmit("prepare", "--help");
        assertTrue(prepare.contains("Usage: omnispark prepare") && prepare.contains("--manifest"), prepare);
    }
}
