package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1 reaches every JVM that holds libtorch tensors for the commands that load
 * libtorch, on each kind of master and deploy mode, and a value the user set is kept.
 */
class NativeAllocatorTest extends FixtureTest {

    private static final String HUGE = "glibc.malloc.hugetlb=1";
    private static final String EXECUTORS = "spark.executorEnv.GLIBC_TUNABLES";

    @Test
    void clientModeSetsTheExecutorsAndTheLocalDriver() {
        for (String master : new String[] {"yarn", "k8s://https://k:6443", "spark://h:7077"}) {
            SubmitCommand c = f.submit("--master", master, "train", "--ranks", "2", "--data", "d");
            assertEquals(HUGE, Fixture.confs(c).get(EXECUTORS), master);
            assertEquals(Map.of("GLIBC_TUNABLES", HUGE), c.environment, master + ": the driver is spark-submit's child");
        }
    }

    @Test
    void clusterModeSetsTheDriversContainerOrPodInstead() {
        Map<String, String> cluster = f.env("OMNISPARK_SUBMIT_OPTS", "--deploy-mode cluster");
        Map<String, String> yarn = Fixture.confs(f.submit(cluster, "--master", "yarn", "eval", "--model", "m"));
        assertEquals(HUGE, yarn.get(EXECUTORS));
        assertEquals(HUGE, yarn.get("spark.yarn.appMasterEnv.GLIBC_TUNABLES"));
        assertFalse(yarn.containsKey("spark.kubernetes.driverEnv.GLIBC_TUNABLES"));
        assertEquals(Map.of(), f.submit(cluster, "--master", "yarn", "eval").environment);
        Map<String, String> k8s = Fixture.confs(f.submit(f.env("OMNISPARK_SUBMIT_OPTS", "--deploy-mode cluster "
                + "--conf spark.kubernetes.file.upload.path=s3a://b/u"), "--master", "k8s://https://k:6443", "train"));
        assertEquals(HUGE, k8s.get("spark.kubernetes.driverEnv.GLIBC_TUNABLES"));
        assertFalse(k8s.containsKey("spark.yarn.appMasterEnv.GLIBC_TUNABLES"));
    }

    @Test
    void theUsersValueIsKeptAndDataCommandsGetNothing() {
        Map<String, String> own = f.env("OMNISPARK_SUBMIT_OPTS", "--conf " + EXECUTORS + "=glibc.malloc.hugetlb=0",
                "GLIBC_TUNABLES", "glibc.malloc.arena_max=2");
        SubmitCommand c = f.submit(own, "--master", "yarn", "train", "--data", "d");
        assertEquals("glibc.malloc.hugetlb=0", Fixture.confs(c).get(EXECUTORS));
        assertEquals(Map.of(), c.environment, "the driver inherits this environment's own GLIBC_TUNABLES");
        for (String data : new String[] {"prepare", "synth", "score"}) {
            SubmitCommand d = f.submit("--master", "yarn", data);
            assertFalse(Fixture.confs(d).containsKey(EXECUTORS), data);
            assertEquals(Map.of(), d.environment, data);
        }
    }

    /** The test JVMs (pom.xml's surefire environment) and the benchmarks (submit/bench.sh) run as training does. */
    @Test
    void testsAndBenchmarksUseTheSameSetting() throws Exception {
        for (String file : new String[] {"pom.xml", "submit/bench.sh"}) {
            String text = java.nio.file.Files.readString(java.nio.file.Path.of(Fixture.repo(file)));
            assertTrue(text.contains(HUGE) && text.contains(NativeAllocator.VARIABLE), file + " sets " + HUGE);
        }
        assertEquals(HUGE, NativeAllocator.HUGE_PAGES);
    }

    @Test
    void aLocalJvmGetsItUnlessThisEnvironmentHasOne() {
        LocalCommand train = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env(), "train", "--data", "d"));
        assertEquals(Map.of("GLIBC_TUNABLES", HUGE), train.environment());
        assertTrue(train.dryRun().startsWith("GLIBC_TUNABLES=" + HUGE + " "), train.dryRun());
        LocalCommand own = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env("GLIBC_TUNABLES", "x=1"),
                "eval"));
        assertEquals(Map.of(), own.environment());
        LocalCommand prepare = assertInstanceOf(LocalCommand.class, Fixture.plan(f.env(), "prepare"));
        assertEquals(Map.of(), prepare.environment());
    }
}
