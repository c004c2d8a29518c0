package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.omnispark.data.config.ConfigLoader;
import org.omnispark.data.ingest.ManifestFormat;

/** {@code input.manifest_format}: its default, the YAML key, the --manifest-format copy, and bad values. */
class ManifestFormatConfigTest {
    @Test
    void defaultsToAutoAndTakesEachValidValue() {
        assertEquals(ManifestFormat.AUTO, PrepareConfig.defaults().input().format());
        assertEquals("auto", TestCorpora.config(List.of()).input().manifestFormat(), "conf/data/prepare.yaml's value");
        for (String f : List.of("auto", "jsonl", "kaldi", "lhotse")) {
            PrepareConfig c = ConfigLoader.load((java.nio.file.Path) null, List.of("input.manifest_format=" + f),
                    PrepareConfig.class);
            assertEquals(ManifestFormat.parse(f), c.input().format());
            assertTrue(c.describe().contains("input.manifest_format = " + f), c.describe());
        }
    }

    @Test
    void theCommandLineValueReplacesTheConfigsAndKeepsTheManifests() {
        PrepareConfig c = TestCorpora.config(List.of("a.jsonl.gz"), "input.manifest_format=jsonl")
                .withManifestFormat("lhotse").withExtraManifests(List.of("b"));
        assertEquals(ManifestFormat.LHOTSE, c.input().format());
        assertEquals(List.of("a.jsonl.gz", "b"), c.input().manifests());
        assertEquals(ManifestFormat.JSONL, c.withManifestFormat("jsonl").withManifestFormat(null).input().format(),
                "no --manifest-format keeps the config's");
    }

    @Test
    void unknownValuesAndKeysAreErrorsThatListTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(
                (java.nio.file.Path) null, List.of("input.manifest_format=nemo"), PrepareConfig.class));
        assertTrue(e.getMessage().contains("unknown manifest format 'nemo': use one of auto, jsonl, kaldi, lhotse"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PrepareConfig.defaults().withManifestFormat("cuts"));
        assertTrue(e.getMessage().contains("input.manifest_format: unknown manifest format 'cuts'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load((java.nio.file.Path) null,
                List.of("input.format=lhotse"), PrepareConfig.class));
        assertTrue(e.getMessage().contains("unknown config key 'input.format'")
                && e.getMessage().contains("manifest_format"), e.getMessage());
    }
}
