package org.omnispark.data.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.features.FbankOptions;
import org.omnispark.data.job.PrepareConfig;
import org.omnispark.data.text.TextNormalizerOptions;

/** {@link ConfigLoader} with {@link PrepareConfig} and the checked-in conf/data/prepare.yaml. */
class ConfigLoaderTest {
    @TempDir
    Path tmp;

    /** conf/data/prepare.yaml, found from the working directory (the module folder under Maven) upwards. */
    static Path prepareYaml() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("conf/data/prepare.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("conf/data/prepare.yaml not found above " + Path.of("").toAbsolutePath());
    }

    private Path yaml(String text) throws IOException {
        Path p = tmp.resolve("c.yaml");
        Files.writeString(p, text);
        return p;
    }

    private static IllegalArgumentException loadFails(Path yaml, List<String> overrides) {
        return assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(yaml, overrides, PrepareConfig.class));
    }

    private static void assertMentions(Exception e, String... words) {
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' should mention '" + w + "'");
        }
    }

    @Test
    void prepareYamlEqualsTheDefaultsItStates() {
        PrepareConfig loaded = ConfigLoader.load(prepareYaml(), List.of(), PrepareConfig.class);
        PrepareConfig d = PrepareConfig.defaults();
        assertEquals(d.input(), loaded.input());
        assertEquals(d.audio(), loaded.audio());
        assertEquals(d.output(), loaded.output());
        // One set of defaults: the same command filters the same with or without --conf prepare.yaml.
        assertEquals(0.6, d.filters().minConfidence());
        assertEquals(d.filters(), loaded.filters());
        // text: the scalar settings equal the defaults; the normalizer map is checked below.
        assertEquals(d.text().tokenizer(), loaded.text().tokenizer());
        assertEquals(d.text().charMinCount(), loaded.text().charMinCount());
        assertNull(loaded.text().sentencepieceModel());
        assertEquals(d.text().sentencepieceVocabSize(), loaded.text().sentencepieceVocabSize());
        assertEquals(d.text().sentencepieceModelType(), loaded.text().sentencepieceModelType());
    }

    @Test
    void prepareYamlFbankMapIsAcceptedAndEqualsFbankDefaults() {
        PrepareConfig loaded = ConfigLoader.load(prepareYaml(), List.of(), PrepareConfig.class);
        // Throws on any key FbankOptions does not know (drift between the YAML and FbankOptions).
        FbankOptions fbank = FbankOptions.fromMap(loaded.fbank());
        assertEquals(FbankOptions.defaults(), fbank, "prepare.yaml says its fbank values are the defaults");
        // "all explicit": every option but sample_frequency (taken from audio.sample_rate) is written out.
        Set<String> missing = new HashSet<>(FbankOptions.KEYS);
        missing.removeAll(loaded.fbank().keySet());
        assertEquals(Set.of("sample_frequency"), missing, "fbank keys absent from prepare.yaml");
    }

    @Test
    void prepareYamlNormalizerMapIsAcceptedAndEqualsNormalizerDefaults() {
        PrepareConfig loaded = ConfigLoader.load(prepareYaml(), List.of(), PrepareConfig.class);
        TextNormalizerOptions opts = TextNormalizerOptions.fromMap(loaded.text().normalizer());
        assertEquals(TextNormalizerOptions.defaults(), opts);
        assertEquals(TextNormalizerOptions.defaults().toMap().keySet(), loaded.text().normalizer().keySet(),
                "prepare.yaml writes out every normalizer option");
    }

    @Test
    void noYamlGivesDefaults() {
        assertEquals(PrepareConfig.defaults(), ConfigLoader.load(null, List.of(), PrepareConfig.class));
    }

    @Test
    void emptyYamlGivesDefaults() throws IOException {
        assertEquals(PrepareConfig.defaults(), ConfigLoader.load(yaml(""), List.of(), PrepareConfig.class));
    }

    @Test
    void unknownTopLevelKey() throws IOException {
        IllegalArgumentException e = loadFails(yaml("outptu:\n  num_shards: 4\n"), List.of());
        assertMentions(e, "'outptu'", "input", "audio", "fbank", "text", "filters", "output");
    }

    @Test
    void unknownNestedKeyInYaml() throws IOException {
        IllegalArgumentException e = loadFails(yaml("filters:\n  min_confidance: 0.5\n"), List.of());
        assertMentions(e, "filters.min_confidance", "min_confidence", "max_duration_s", "max_unknown_fraction");
    }

    @Test
    void unknownNestedKeyInOverride() {
        IllegalArgumentException e = loadFails(prepareYaml(), List.of("filters.min_confidance=0.5"));
        assertMentions(e, "filters.min_confidance", "min_confidence", "min_duration_s");
    }

    @Test
    void numberOverrides() {
        PrepareConfig c = ConfigLoader.load(prepareYaml(),
                List.of("output.num_shards=16", "filters.min_confidence=0.25", "audio.sample_rate=8000"),
                PrepareConfig.class);
        assertEquals(16, c.output().numShards());
        assertEquals(0.25, c.filters().minConfidence());
        assertEquals(8000, c.audio().sampleRate());
        // Untouched siblings keep their YAML values.
        assertEquals("zstd", c.output().compression());
        assertEquals(30.0, c.filters().maxDurationS());
    }

    @Test
    void laterOverrideWins() {
        PrepareConfig c = ConfigLoader.load(null, List.of("output.num_shards=3", "output.num_shards=5"),
                PrepareConfig.class);
        assertEquals(5, c.output().numShards());
    }

    @Test
    void listOverride() {
        PrepareConfig c = ConfigLoader.load(prepareYaml(), List.of("audio.speed_perturb=[0.9,1.1]",
                "input.manifests=[a.jsonl, b/kaldi]"), PrepareConfig.class);
        assertEquals(List.of(0.9, 1.1), c.audio().speedPerturb());
        assertEquals(List.of("a.jsonl", "b/kaldi"), c.input().manifests());
    }

    @Test
    void overridesCreateMissingSections() {
        // No YAML at all: the override must create output and text.normalizer as objects.
        PrepareConfig c = ConfigLoader.load(null, List.of("output.compression=gzip", "text.normalizer.case=upper",
                "fbank.num_mel_bins=40"), PrepareConfig.class);
        assertEquals("gzip", c.output().compression());
        assertEquals(Map.of("case", "upper"), c.text().normalizer());
        assertEquals(TextNormalizerOptions.CaseMode.UPPER,
                TextNormalizerOptions.fromMap(c.text().normalizer()).caseMode());
        assertEquals(40, FbankOptions.fromMap(c.fbank()).numMelBins());
    }

    @Test
    void overrideOntoYamlMapKeepsOtherEntries() {
        PrepareConfig c = ConfigLoader.load(prepareYaml(), List.of("fbank.num_mel_bins=40"), PrepareConfig.class);
        FbankOptions f = FbankOptions.fromMap(c.fbank());
        assertEquals(40, f.numMelBins());
        assertEquals(25.0, f.frameLengthMs());
        assertEquals(0.97, f.preemphasisCoefficient());
    }

    @Test
    void nullOverrideRestoresDefault() {
        PrepareConfig c = ConfigLoader.load(prepareYaml(), List.of("filters.min_confidence=null"),
                PrepareConfig.class);
        assertEquals(0.6, c.filters().minConfidence(), "null falls back to the record's default");
    }

    @Test
    void validationErrorNamesTheKey() {
        IllegalArgumentException e = loadFails(prepareYaml(), List.of("filters.min_confidence=2"));
        assertMentions(e, "filters.min_confidence", "[0, 1]");
        assertMentions(loadFails(null, List.of("output.compression=lz4")), "output.compression");
        assertMentions(loadFails(null, List.of("audio.speed_perturb=[1.0]")), "audio.speed_perturb");
        assertMentions(loadFails(null, List.of("text.tokenizer=words")), "text.tokenizer", "'words'");
        assertMentions(loadFails(null, List.of("output.num_shards=0")), "output.num_shards");
    }

    @Test
    void conflictingOptionsAreAnErrorAtStart() {
        assertMentions(loadFails(prepareYaml(), List.of("fbank.sample_frequency=8000")), "fbank.sample_frequency",
                "audio.sample_rate", "16000");
        assertEquals(16000.0, ((Number) ConfigLoader.load(null, List.of("fbank.sample_frequency=16000"),
                PrepareConfig.class).fbank().get("sample_frequency")).doubleValue(), "an agreeing value is accepted");
        assertMentions(loadFails(null, List.of("text.sentencepiece_model=/m.model")), "text.tokenizer");
        assertMentions(loadFails(null, List.of("text.tokenizer=sentencepiece", "text.sentencepiece_model=/m.model",
                "text.vocabulary_from=/ds")), "keep one");
        assertMentions(loadFails(null, List.of("audio.timeout_s=20", "audio.timeout_max_s=10")), "timeout_max_s");
        assertMentions(loadFails(null, List.of("output.max_shard_hours=0")), "output.max_shard_hours");
    }

    @Test
    void theEffectiveConfigIsDescribedKeyByKey() {
        String d = ConfigLoader.load(null, List.of("filters.max_duration_s=20"), PrepareConfig.class).describe();
        assertTrue(d.contains("filters.min_confidence = 0.6\n"), d);
        assertTrue(d.contains("filters.max_duration_s = 20.0\n"), d);
        assertTrue(d.contains("audio.timeout_max_s = 300.0\n"), d);
        assertTrue(d.contains("output.max_shard_hours = 5.0\n"), d);
    }

    @Test
    void wrongTypeNamesTheKey() {
        IllegalArgumentException e = loadFails(null, List.of("output.num_shards=many"));
        assertMentions(e, "num_shards");
    }

    @Test
    void malformedOverride() {
        assertMentions(loadFails(null, List.of("output.num_shards")), "output.num_shards", "key.sub=value");
        assertMentions(loadFails(null, List.of("=3")), "key.sub=value");
    }

    @Test
    void topLevelMustBeAMapping() throws IOException {
        assertMentions(loadFails(yaml("- a\n- b\n"), List.of()), "mapping");
    }
}
