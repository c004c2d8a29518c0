package org.omnispark.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusSynthesizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        org.omnispark.data.tools.RequiredTools.check(SynthTestSupport.hasTools(), "espeak-ng and sox not installed: apt-get install espeak-ng sox");
    }

    private static CorpusSynthesizer.Builder base(Path out, int n) {
        return CorpusSynthesizer.builder().setOutputDir(out).setUtterances(n);
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static List<String> audioFiles(Path corpus) throws IOException {
        try (Stream<Path> s = Files.list(corpus.resolve(CorpusSynthesizer.AUDIO_DIR))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void sameSeedGivesIdenticalBytesWhateverTheThreadCount() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        base(a, 6).optSeed(42).optFormatMix(true).optNoiseFraction(0.5).optDamagedAudioFraction(0.34)
            .optThreads(1).build().synthesize();
        base(b, 6).optSeed(42).optFormatMix(true).optNoiseFraction(0.5).optDamagedAudioFraction(0.34)
            .optThreads(2).build().synthesize();
        base(c, 6).optSeed(43).optFormatMix(true).optNoiseFraction(0.5).optDamagedAudioFraction(0.34)
            .build().synthesize();
        assertArrayEquals(Files.readAllBytes(a.resolve("manifest.jsonl")), Files.readAllBytes(b.resolve(
            "manifest.jsonl")), "manifest bytes");
        assertArrayEquals(Files.readAllBytes(a.resolve("truth.jsonl")), Files.readAllBytes(b.resolve("truth.jsonl")));
        List<String> files = audioFiles(a);
        assertEquals(files, audioFiles(b));
        assertTrue(files.size() >= 4, "files: " + files);
        for (String f : files) {
            assertArrayEquals(Files.readAllBytes(a.resolve("audio").resolve(f)),
                Files.readAllBytes(b.resolve("audio").resolve(f)), "audio bytes of " + f);
        }
        assertNotEquals(Files.readString(a.resolve("manifest.jsonl")), Files.readString(c.resolve("manifest.jsonl")),
            "seed 43 differs from seed 42");
    }

    @Test
    void damagedRowsAreExactlyCountedOnDiskAndInTruth() throws IOException {
        // 12 rows * 0.5 = 6 damaged, one of each of the 6 kinds; 12 * 0.25 = 3 corrupted labels on intact rows
        CorpusSummary s = base(dir, 12).optSeed(1).optDamagedAudioFraction(0.5).optCorruptLabelFraction(0.25)
            .build().synthesize();
        assertEquals(12, s.rows());
        assertEquals(6, s.damagedRows());
        assertEquals(3, s.corruptedLabels());
        for (AudioDamage d : AudioDamage.KINDS) {
            assertEquals(1, s.damageCounts().get(d), "rows with " + d);
        }
        Map<AudioDamage, Integer> truthCounts = new EnumMap<>(AudioDamage.class);
        int corrupted = 0;
        for (JsonNode t : lines(s.truth())) {
            AudioDamage d = AudioDamage.valueOf(t.get("damage").asText().toUpperCase());
            truthCounts.merge(d, 1, Integer::sum);
            Path audio = dir.resolve(t.get("audio_filepath").asText());
            String reject = t.get("expected_reject").isNull() ? null : t.get("expected_reject").asText();
            assertEquals(d.expectedReject() == null ? null : d.expectedReject().name(), reject);
            switch (d) {
                case NONE -> assertTrue(Files.size(audio) > 44 + 16000, "intact audio of " + audio);
                case MISSING_FILE -> assertFalse(Files.exists(audio), "missing file exists: " + audio);
                case EMPTY_FILE -> assertEquals(0, Files.size(audio));
                case UNSUPPORTED_FORMAT -> assertTrue(audio.toString().endsWith(".ogg") && Files.size(audio) > 0);
                case TRUNCATED -> {
                    byte[] b = Files.readAllBytes(audio);
                    long announced = (b[40] & 0xff) | (b[41] & 0xff) << 8 | (b[42] & 0xff) << 16
                        | (long) (b[43] & 0xff) << 24;
                    assertTrue(b.length - 44 < announced, "truncated: " + (b.length - 44) + " < " + announced);
                }
                default -> assertTrue(Files.size(audio) > 0);
            }
            boolean corrupt = !t.get("label_corruption").asText().equals("none");
            double conf = t.get("confidence").asDouble();
            if (corrupt) {
                corrupted++;
                assertEquals("none", t.get("damage").asText(), "corrupted labels only on intact audio");
                assertNotEquals(t.get("true_text").asText(), t.get("label").asText());
                assertTrue(conf >= 0.1 && conf <= 0.5, "corrupt confidence " + conf);
            } else {
                assertEquals(t.get("true_text").asText(), t.get("label").asText());
                assertTrue(conf >= 0.8 && conf <= 1.0, "clean confidence " + conf);
            }
        }
        assertEquals(3, corrupted);
        assertEquals(s.damageCounts(), truthCounts);
    }

    @Test
    void audioIsRealSpeech() throws IOException {
        CorpusSummary s = base(dir, 8).optSeed(5).optCorruptLabelFraction(0).build().synthesize();
        double total = 0;
        for (JsonNode t : lines(s.truth())) {
            PcmWav wav = PcmWav.read(dir.resolve(t.get("audio_filepath").asText()));
            assertEquals(16000, wav.sampleRate());
            int words = t.get("words").asInt();
            double expected = words * 60.0 / t.get("rate_wpm").asInt(); // words / (words per second)
            double seconds = wav.durationSeconds();
            total += seconds;
            assertEquals(t.get("duration").asDouble(), seconds, 1e-4, "manifest duration of " + t.get("key"));
            assertTrue(seconds > 0.5 * expected && seconds < 2.0 * expected + 0.3,
                t.get("key") + ": " + seconds + " s for " + words + " words at " + t.get("rate_wpm") + " wpm");
            // silence has rms 0; espeak-ng speech here is about -17..-28 dBFS (0.04..0.14)
            assertTrue(wav.rms() > 0.02, t.get("key") + " rms " + wav.rms() + " voice " + t.get("voice"));
            assertTrue(activeShare(wav) > 0.4, t.get("key") + " active 20 ms frames " + activeShare(wav));
        }
        assertEquals(total, s.totalAudioSeconds(), 1e-3);
    }

    /** Share of 20 ms frames whose rms exceeds 0.01 of full scale (-40 dBFS). */
    private static double activeShare(PcmWav wav) {
        int frame = wav.sampleRate() / 50;
        int active = 0;
        int frames = wav.samples().length / frame;
        for (int f = 0; f < frames; f++) {
            double sum = 0;
            for (int i = f * frame; i < (f + 1) * frame; i++) {
                sum += (double) wav.samples()[i] * wav.samples()[i];
            }
            active += Math.sqrt(sum / frame) / 32768 > 0.01 ? 1 : 0;
        }
        return active / (double) frames;
    }

    @Test
    void manifestParsesWithJacksonAndFormatsMatchSox() throws IOException {
        CorpusSummary s = base(dir, 10).optSeed(7).optFormatMix(true).build().synthesize();
        List<JsonNode> manifest = lines(s.manifest());
        List<JsonNode> truth = lines(s.truth());
        assertEquals(10, manifest.size());
        String previous = "";
        for (int i = 0; i < manifest.size(); i++) {
            JsonNode m = manifest.get(i);
            List<String> fields = new ArrayList<>();
            for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
                fields.add(it.next());
            }
            assertEquals(List.of("key", "audio_filepath", "text", "confidence", "duration", "speaker", "language"),
                fields);
            String key = m.get("key").asText();
            assertTrue(key.matches("synth-train-\\d{6}"), key);
            assertTrue(key.compareTo(previous) > 0, "sorted by key");
            previous = key;
            assertEquals(key, truth.get(i).get("key").asText());
            Path audio = dir.resolve(m.get("audio_filepath").asText());
            String format = truth.get(i).get("format").asText();
            assertTrue(audio.toString().endsWith(format.startsWith("flac") ? ".flac" : ".wav"), audio + " " + format);
            // soxi (sox's own reader) as the independent reference for the duration of every format
            assertEquals(SynthTestSupport.soxiSeconds(audio), m.get("duration").asDouble(), 2e-4, key + " " + format);
            String rate = org.omnispark.io.ExternalCommand.run(List.of("soxi", "-r", audio.toString()), null, Sox.TOOL_TIMEOUT).trim();
            assertEquals(format.split("-")[1], rate, "sample rate of " + key);
            assertEquals("en", m.get("language").asText());
            assertTrue(m.get("confidence").isDouble() && m.get("duration").isDouble());
        }
    }

    @Test
    void heldoutCorpusUsesOnlyHeldoutSentencesAndVoices() throws IOException {
        SentenceGrammar grammar = SentenceGrammar.english();
        VoiceCatalog voices = VoiceCatalog.builtIn();
        CorpusSummary s = base(dir, 5).optSplit("heldout").optSeed(3).build().synthesize();
        for (JsonNode t : lines(s.truth())) {
            assertTrue(t.get("key").asText().startsWith("synth-heldout-"));
            assertEquals(Split.HELDOUT, grammar.splitOf(t.get("true_text").asText()), t.toString());
            assertEquals(Split.HELDOUT, voices.splitOf(Voice.parse(t.get("voice").asText())), t.toString());
        }
        // plans only (no audio): 400 train and 400 heldout rows share no sentence and no voice
        Set<String> trainTexts = new HashSet<>();
        Set<Voice> trainVoices = new HashSet<>();
        for (CorpusRow r : base(dir, 400).optSeed(3).build().plan()) {
            trainTexts.add(r.sentence().text());
            trainVoices.add(r.voice().voice());
        }
        for (CorpusRow r : base(dir, 400).optSplit(Split.HELDOUT).optSeed(3).build().plan()) {
            assertFalse(trainTexts.contains(r.sentence().text()), "heldout sentence in train: " + r.sentence());
            assertFalse(trainVoices.contains(r.voice().voice()), "heldout voice in train: " + r.voice());
        }
    }

    @Test
    void missingToolsSayWhatToInstall() {
        SynthToolMissingException e = assertThrows(SynthToolMissingException.class,
            () -> base(dir, 2).optEspeakCommand("/nonexistent/espeak-ng").build().synthesize());
        assertTrue(e.getMessage().contains("apt-get install espeak-ng sox"), e.getMessage());
        e = assertThrows(SynthToolMissingException.class,
            () -> base(dir, 2).optSoxCommand("/nonexistent/sox").build().synthesize());
        assertTrue(e.getMessage().contains("apt-get install espeak-ng sox"), e.getMessage());
    }

    @Test
    void optionsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CorpusSynthesizer.builder().setUtterances(3).build());
        assertTrue(e.getMessage().contains("setOutputDir"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> base(dir, 10).optDamagedAudioFraction(0.6).optCorruptLabelFraction(0.5).build());
        assertTrue(e.getMessage().contains("lower the fractions"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> base(dir, 10).optNoiseFraction(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> base(dir, 10).optSplit("dev"));
    }
}
