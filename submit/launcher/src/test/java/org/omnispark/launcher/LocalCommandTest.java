package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without --master, or with local[...]: one JVM here with an embedded Spark, the cluster file as system properties. */
class LocalCommandTest extends FixtureTest {

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private List<String> expected(String log, List<String> javaOpts, List<String> props, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(Fixture.BUILD.jvmOpens());
        cmd.add("-Dlog4j2.configurationFile=" + Fixture.repo(log));
        cmd.addAll(javaOpts);
        cmd.addAll(props);
        cmd.addAll(List.of("-cp", String.join(":", List.of("/app/omnispark-data-pipeline-0.1.0-tests.jar",
                "/app/omnispark-data-pipeline-0.1.0.jar", "/app/omnispark-trainer-0.1.0.jar",
                "/m2/jackson-databind-2.18.2.jar", "/m2/api-0.35.1.jar", "/m2/junit-jupiter-api-5.11.4.jar",
                Fixture.NATIVES)), Fixture.MAIN));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void noMasterRunsTheCliHereQuietly() {
        LocalCommand c = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env(), "prepare", "--out", "o"));
        assertEquals(expected("conf/log4j2.properties", List.of("-Xmx8g"), List.of(), "prepare", "--out", "o"),
                c.command());
        assertEquals(Map.of(), c.environment());
    }

    @Test
    void theHadoopConfigurationFoldersComeFirstOnTheClasspathAsUnderSparkSubmit() throws Exception {
        java.nio.file.Path conf = java.nio.file.Files.createDirectories(tmp.resolve("hadoop-conf"));
        LocalCommand c = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env("HADOOP_CONF_DIR", conf.toString(),
                "YARN_CONF_DIR", conf.toString()), "train", "--data", "hdfs:///d"));
        List<String> cmd = c.command();
        String cp = cmd.get(cmd.indexOf("-cp") + 1);
        assertTrue(cp.startsWith(conf + ":/app/omnispark-data-pipeline-0.1.0-tests.jar:"), cp);
        assertEquals(List.of(), c.notes());
        LocalCommand missing = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env("HADOOP_CONF_DIR",
                tmp.resolve("nowhere").toString()), "prepare"));
        assertTrue(missing.notes().size() == 1 && missing.notes().get(0).contains("HADOOP_CONF_DIR=")
                && missing.notes().get(0).contains("is not a folder"), missing.notes().toString());
    }

    @Test
    void aLocalClusterFileBecomesSystemPropertiesAndItsMasterTheEnvironment() {
        LocalCommand c = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env("OMNISPARK_JAVA_OPTS",
                "-Xmx3g '-Dx=a b'"), "--verbose", "--cluster", Fixture.repo("conf/cluster/local.conf"), "prepare"));
        assertEquals(expected("conf/log4j2-verbose.properties", List.of("-Xmx3g", "-Dx=a b"),
                List.of("-Dspark.ui.enabled=false", "-Dspark.sql.shuffle.partitions=8"), "prepare"), c.command());
        assertEquals(Map.of("OMNISPARK_MASTER", "local[*]"), c.environment());
        assertTrue(c.dryRun().startsWith("OMNISPARK_MASTER='local[*]' " + java() + " "), c.dryRun());
        assertTrue(c.dryRun().contains(" -cp CLASSPATH org.omnispark.cli.Main prepare"), c.dryRun());
        assertTrue(c.dryRun().contains(" '-Dx=a b' "), c.dryRun());
    }

    @Test
    void submitSettingsAreSaidToBeIgnoredAndCudaTellsDjlItsFlavour() {
        Plan p = Fixture.plan(f.env("OMNISPARK_SUBMIT_OPTS", "--num-executors 4", "OMNISPARK_GPUS_PER_EXECUTOR", "1"),
                "--master", "local[2]", "train");
        assertEquals(2, p.notes().size(), p.notes().toString());
        assertTrue(p.notes().get(0).startsWith("OMNISPARK_SUBMIT_OPTS is for spark-submit"), p.notes().toString());
        LocalCommand cuda = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env("OMNISPARK_LIBTORCH", "cuda"),
                "train"));
        assertEquals(Map.of("PYTORCH_FLAVOR", "cu126", "PYTORCH_VERSION", "2.7.1", "GLIBC_TUNABLES",
                "glibc.malloc.hugetlb=1"), cuda.environment());
        LocalCommand own = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env("OMNISPARK_LIBTORCH", "cuda",
                "PYTORCH_FLAVOR", "cu128"), "train"));
        assertEquals(Map.of("PYTORCH_VERSION", "2.7.1", "GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"), own.environment(),
                "the user's own flavour stands");
        String refused = f.refused(f.env("OMNISPARK_LIBTORCH", "cuda", "PYTORCH_VERSION", "2.5.1"), "train");
        assertTrue(refused.contains("needs PYTORCH_VERSION=2.7.1"), refused);
    }

    @Test
    void aRealRunNeedsTheBuildsClasspath() {
        String why = f.refused(f.env("OMNISPARK_CLASSPATH_FILE", tmp.resolve("missing").toString()), "prepare");
        assertTrue(why.contains("run submit/omnispark setup"), why);
        LocalCommand dry = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env("OMNISPARK_CLASSPATH_FILE", null,
                "OMNISPARK_DRY_RUN", "1"), "prepare"));
        assertTrue(dry.command().contains("CLASSPATH"), dry.command().toString());
    }
}
