package org.omnispark.expertparallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.omnispark.data.tools.RequiredTools;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The projection script behind docs/scaling.md keeps its own unit tests (expert-parallel/src/test/python/
 * test_scaling_model.py: link counts by the mesh's peer rule, cost parts adding up to the step, ring latency, the
 * command line); this runs them with the build, so CI fails when the script and its tests disagree.
 */
class ScalingModelScriptTest {

    @Test
    void theScalingModelsUnitTestsPass() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        RequiredTools.check(Files.isExecutable(python), "/usr/bin/python3 runs the scaling model (apt-get install python3)");
        Path dir = TinyDatasets.repoRoot().resolve("expert-parallel/src/test/python");
        Process p = new ProcessBuilder(python.toString(), "-m", "unittest", "-v", "test_scaling_model")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the scaling model's tests finish within 2 minutes");
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("OK") && log.matches("(?s).*Ran (\\d{2,}) tests.*"), log);
    }
}
