package org.omnispark.expertparallel;

import org.junit.jupiter.api.Test;
import org.omnispark.trainer.PythonUnitTests;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The projection script behind docs/scaling.md keeps its own unit tests (expert-parallel/src/test/python/
 * test_scaling_model.py: link counts by the mesh's peer rule, cost parts adding up to the step, ring latency, the
 * command line); this runs them with the build, so CI fails when the script and its tests disagree.
 */
class ScalingModelScriptTest {

    @Test
    void theScalingModelsUnitTestsPass() throws Exception {
        PythonUnitTests.run(TinyDatasets.repoRoot().resolve("expert-parallel/src/test/python"), "test_scaling_model",
                10, "the scaling model");
    }
}
