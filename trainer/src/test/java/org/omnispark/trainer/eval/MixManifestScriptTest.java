package org.omnispark.trainer.eval;

import org.junit.jupiter.api.Test;
import org.omnispark.trainer.PythonUnitTests;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * The labelled training mix of submit/experiment.sh ({@code --train-mix}) merges per-domain manifests with
 * submit/mix_manifest.py; its unit tests (keys prefixed by domain, audio paths relative to the mix, fields carried
 * from the source manifest, every refusal naming file and line, nothing written when refused) are in
 * trainer/src/test/python/test_mix_manifest.py; this runs them with the build.
 */
class MixManifestScriptTest {

    @Test
    void theMixManifestUnitTestsPass() throws Exception {
        PythonUnitTests.run(TinyDatasets.repoRoot().resolve("trainer/src/test/python"), "test_mix_manifest", 4,
                "the experiment recipe's training mix");
    }
}
