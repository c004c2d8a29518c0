package org.omnispark.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cluster files are checked line by line before anything starts; every error names the file and the line. */
class ClusterFileTest extends FixtureTest {

    @Test
    void everyShippedFileIsValidOnceItsPlaceholdersAreFilledAndNoneSetsTaskCpus() throws Exception {
        for (String name : List.of("local.conf", "standalone.conf", "yarn.conf", "k8s.conf")) {
            Path shipped = Path.of(Fixture.repo("conf/cluster/" + name));
            String text = Files.readString(shipped);
            if (text.contains("CHANGE_ME")) {
                String why = f.refused("--cluster", shipped.toString(), "prepare");
                assertTrue(why.contains("for your cluster") && why.contains(name), why);
            }
            ClusterFile file = ClusterFile.load(Path.of(f.shipped(name)));
            assertFalse(file.entries().containsKey("spark.task.cpus"), name + ": one core per task for prepare; "
                    + "training has its own resource profile");
            Fixture.plan(f.env(), "--cluster", f.shipped(name), "train", "--ranks", "4", "--data", "d", "--out", "o");
        }
    }

    @Test
    void propertiesKeepTheirOrderAndLine() {
        ClusterFile file = ClusterFile.load(Path.of(f.clusterFile("a.conf", """
                # comment
                spark.master yarn

                  spark.executor.memory   8g  \s
                spark.ui.enabled=false
                spark.executor.extraJavaOptions -Da=1 -Db=2
                """)));
        Map<String, ClusterFile.Entry> expected = new LinkedHashMap<>();
        expected.put("spark.master", new ClusterFile.Entry("yarn", 2));
        expected.put("spark.executor.memory", new ClusterFile.Entry("8g", 4));
        expected.put("spark.ui.enabled", new ClusterFile.Entry("false", 5));
        expected.put("spark.executor.extraJavaOptions", new ClusterFile.Entry("-Da=1 -Db=2", 6));
        assertEquals(List.copyOf(expected.entrySet()), List.copyOf(file.entries().entrySet()));
    }

    @Test
    void aBadFileFailsNamingTheLine() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("executor.memory 8g\n", "line 1: 'executor.memory' is not a Spark property");
        bad.put("spark.master yarn\n\nspark.executor.instances four\n",
                "line 3: spark.executor.instances must be a whole number, got 'four'");
        bad.put("spark.executor.memory 8 GB\n", "line 1: spark.executor.memory must be a size such as 8g");
        bad.put("spark.dynamicAllocation.enabled yes\n", "line 1: spark.dynamicAllocation.enabled must be true or false");
        bad.put("spark.master yarn\nspark.master k8s://x\n", "line 2: spark.master is set twice (first on line 1)");
        bad.put("spark.master\n", "line 1: expected a Spark property and its value");
        bad.put("spark.omnispark.mesh.ports 40000\n", "line 1: spark.omnispark.mesh.ports must be a port range");
        bad.put("spark.omnispark.mesh.ports 0-10\n", "line 1: spark.omnispark.mesh.ports must be FIRST-LAST with 1 <=");
        bad.put("spark.kubernetes.container.image CHANGE_ME/spark\n", "line 1: set spark.kubernetes.container.image "
                + "for your cluster");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path file = Path.of(f.clusterFile("bad.conf", e.getKey()));
            LaunchException x = assertThrows(LaunchException.class, () -> ClusterFile.load(file), e.getKey());
            assertTrue(x.getMessage().startsWith(file + " " + e.getValue()), "for " + e.getKey() + " expected '"
                    + e.getValue() + "', got: " + x.getMessage());
        }
        String missing = f.refused("--cluster", tmp.resolve("missing.conf").toString(), "prepare");
        assertTrue(missing.contains("no such file") && missing.contains("conf/cluster"), missing);
    }
}
