package org.omnispark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.omnispark.data.tools.RequiredTools;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The experiment report's expert-specialisation section (submit/domain_routing.py: mutual information between the
 * evaluation set and the top-1 expert per layer, the G-test beside it, Omni - Switch paired by seed) keeps its unit
 * tests in trainer/src/test/python/test_domain_routing.py, against hand-computed values; this runs them with the build.
 */
class DomainRoutingScriptTest {

    @Test
    void theDomainRoutingUnitTestsPass() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        RequiredTools.check(Files.isExecutable(python), "/usr/bin/python3 runs the experiment report (apt-get install "
                + "python3)");
        Path dir = TinyDatasets.repoRoot().resolve("trainer/src/test/python");
        Process p = new ProcessBuilder(python.toString(), "-m", "unittest", "-v", "test_domain_routing")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the domain routing tests finish within 2 minutes");
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("OK") && log.contains("Ran 4 tests"), log);
    }
}
