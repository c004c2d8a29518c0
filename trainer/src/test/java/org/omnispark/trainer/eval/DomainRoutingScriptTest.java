package org.omnispark.trainer.eval;

import org.junit.jupiter.api.Test;
import org.omnispark.trainer.PythonUnitTests;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The experiment report's expert-specialisation section (submit/domain_routing.py: mutual information between the
 * evaluation set and the top-1 expert per layer, the G-test beside it, Omni - Switch paired by seed) keeps its unit
 * tests in trainer/src/test/python/test_domain_routing.py, against hand-computed values; this runs them with the build.
 */
class DomainRoutingScriptTest {

    @Test
    void theDomainRoutingUnitTestsPass() throws Exception {
        PythonUnitTests.run(TinyDatasets.repoRoot().resolve("trainer/src/test/python"), "test_domain_routing", 4,
                "the experiment report");
    }
}
