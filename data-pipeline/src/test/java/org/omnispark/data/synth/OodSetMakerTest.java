package org.omnispark.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.cli.Main;
import org.omnispark.data.tools.RequiredTools;

/**
 * {@link OodSetMaker} through {@code omnispark ood-sets}, on tones whose level is known, so that each set's effect
 * is checked against hand-computed values: the noise's SNR and shape, the tempo's duration, the reverb's tail.
 */
class OodSetMakerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RATE = 16000;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("sox", "flite");
    }

    /** A 440 Hz tone of amplitude {@code amplitude}, {@code seconds} long: mean square amplitude^2 / 2. */
    private static PcmWav tone(double amplitude, double seconds) {
        short[] s = new short[(int) (seconds * RATE)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * 440 * i / RATE));
        }
        return new PcmWav(s, RATE);
    }

    /** An in-domain folder: three tones (keys a, b, c/d: a key that is no file name) and their manifest. */
    private Path inDomain() throws IOException {
        Path in = Files.createDirectories(dir.resolve("indomain/audio"));
        tone(8000, 1.0).write(in.resolve("a.wav"));
        tone(4000, 2.0).write(in.resolve("b.wav"));
        tone(6000, 1.5).write(in.resolve("c.wav"));
        Path manifest = dir.resolve("indomain/manifest.jsonl");
        Files.writeString(manifest, """
                {"key": "a", "audio_filepath": "audio/a.wav", "text": "one two three"}
                {"key": "b", "wav": "audio/b.wav", "txt": "four five"}

                {"key": "c/d", "audio_filepath": "audio/c.wav", "text": "six seven eight nine"}
                """);
        return manifest;
    }

    private Path run(Path manifest, String out, String... more) {
        Path outDir = dir.resolve(out);
        List<String> args = new ArrayList<>(List.of("ood-sets", "--manifest", manifest.toString(), "--out",
                outDir.toString()));
        args.addAll(List.of(more));
        assertEquals(0, Main.commandLine().execute(args.toArray(String[]::new)), "ood-sets " + args);
        return outDir;
    }

    private static List<JsonNode> rows(Path manifest) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(manifest)) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    @Test
    void eachSetDoesWhatItsNameSays() throws IOException {
        Path out = run(inDomain(), "ood", "--sets", "noise5db,noise-3db,fast,slow,reverb,flite", "--threads", "2");
        for (String set : List.of("noise5db", "noise-3db", "fast", "slow", "reverb", "flite")) {
            List<JsonNode> rows = rows(out.resolve(set).resolve("manifest.jsonl"));
            assertEquals(List.of("a", "b", "c/d"), rows.stream().map(r -> r.get("key").asText()).toList(), set);
            assertEquals(List.of("one two three", "four five", "six seven eight nine"),
                    rows.stream().map(r -> r.get("txt").asText()).toList(), set);
            for (JsonNode r : rows) {
                assertTrue(Files.size(out.resolve(set).resolve(r.get("wav").asText())) > 1000, set + " " + r);
            }
            assertEquals(OodSetMaker.fileName("c/d"), rows.get(2).get("wav").asText(), "a key with '/' is hashed");
        }
        assertFalse(OodSetMaker.fileName("c/d").contains("/"));

        double[] amplitudes = {8000, 4000, 6000};
        String[] keys = {"a", "b", "c/d"};
        for (int snr : new int[] {5, -3}) {
            for (int i = 0; i < 3; i++) {
                PcmWav clean = PcmWav.read(dir.resolve("indomain/audio/" + (char) ('a' + i) + ".wav"));
                PcmWav noisy = PcmWav.read(out.resolve("noise" + snr + "db").resolve(OodSetMaker.fileName(keys[i])));
                assertEquals(clean.samples().length, noisy.samples().length);
                double n2 = 0;
                double n4 = 0;
                double mean = 0;
                int count = clean.samples().length;
                for (int k = 0; k < count; k++) {
                    double e = noisy.samples()[k] - clean.samples()[k];
                    mean += e / count;
                    n2 += e * e / count;
                    n4 += e * e * e * e / count;
                }
                double signal = amplitudes[i] * amplitudes[i] / 2; // a sine's mean square
                // 16000+ samples: the estimated noise power is within about 1 % (0.05 dB) of the target
                assertEquals(snr, 10 * Math.log10(signal / n2), 0.2, "SNR of " + keys[i] + " at " + snr + " dB");
                assertEquals(0, mean / Math.sqrt(n2), 0.05, "zero-mean noise");
                // Gaussian noise has kurtosis 3 (uniform noise, what sox's whitenoise makes, has 1.8)
                assertEquals(3.0, n4 / (n2 * n2), 0.2, "Gaussian noise");
            }
        }
        for (int i = 0; i < 3; i++) {
            double seconds = new double[] {1.0, 2.0, 1.5}[i];
            String file = OodSetMaker.fileName(keys[i]);
            assertEquals(seconds / 1.3, PcmWav.read(out.resolve("fast").resolve(file)).durationSeconds(), 0.03,
                    "fast: tempo 1.3");
            assertEquals(seconds / 0.75, PcmWav.read(out.resolve("slow").resolve(file)).durationSeconds(), 0.03,
                    "slow: tempo 0.75");
            PcmWav reverb = PcmWav.read(out.resolve("reverb").resolve(file));
            assertEquals(seconds + 0.5, reverb.durationSeconds(), 0.001, "reverb keeps a 0.5 s tail");
            double tail = 0;
            for (int k = (int) (seconds * RATE); k < (int) ((seconds + 0.05) * RATE); k++) {
                tail += Math.abs(reverb.samples()[k]);
            }
            assertTrue(tail > 0, "the tail rings after the tone ends");
            PcmWav spoken = PcmWav.read(out.resolve("flite").resolve(file));
            assertTrue(spoken.durationSeconds() > 0.4 && spoken.rms() > 0.005, "flite spoke " + keys[i]);
        }
    }

    @Test
    void theSameSeedGivesTheSameBytesWhateverTheThreads() throws IOException {
        Path manifest = inDomain();
        Path one = run(manifest, "one", "--sets", "noise0db,fast", "--threads", "1", "--seed", "4");
        Path two = run(manifest, "two", "--sets", "noise0db,fast", "--threads", "3", "--seed", "4");
        Path other = run(manifest, "other", "--sets", "noise0db", "--seed", "5");
        for (String set : List.of("noise0db", "fast")) {
            for (String key : List.of("a", "b", "c/d")) {
                String f = OodSetMaker.fileName(key);
                assertArrayEquals(Files.readAllBytes(one.resolve(set).resolve(f)),
                        Files.readAllBytes(two.resolve(set).resolve(f)), set + " " + key);
            }
            assertArrayEquals(Files.readAllBytes(one.resolve(set).resolve("manifest.jsonl")),
                    Files.readAllBytes(two.resolve(set).resolve("manifest.jsonl")));
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(one.resolve("noise0db/a.wav")),
                Files.readAllBytes(other.resolve("noise0db/a.wav"))), "--seed changes the noise");
    }

    @Test
    void audioThatIsNot16BitMonoIsConvertedBeforeTheNoise() throws Exception {
        Path in = Files.createDirectories(dir.resolve("float"));
        tone(8000, 1.0).write(in.resolve("mono16.wav"));
        // 32-bit float stereo at 22.05 kHz: the noise goes onto its 16-bit mono form at its own rate
        RequiredTools.run("sox", "-R", in.resolve("mono16.wav").toString(), "-e", "floating-point", "-b", "32",
                "-c", "2", "-r", "22050", in.resolve("x.wav").toString());
        Path manifest = in.resolve("manifest.jsonl");
        Files.writeString(manifest, "{\"key\": \"x\", \"wav\": \"x.wav\", \"txt\": \"x\"}\n");
        PcmWav noisy = PcmWav.read(run(manifest, "out", "--sets", "noise20db").resolve("noise20db/x.wav"));
        assertEquals(22050, noisy.sampleRate());
        assertEquals(1.0, noisy.durationSeconds(), 0.001);
    }

    @Test
    void badInputStopsWithTheLineOrTheNamesThereAre() throws IOException {
        Path manifest = dir.resolve("m.jsonl");
        Files.writeString(manifest, "{\"key\": \"a\", \"wav\": \"a.wav\", \"txt\": \"a\"}\n{\"key\": \"b\"}\n");
        IOException bad = assertThrows(IOException.class, () -> OodSetMaker.builder().setManifest(manifest)
                .setOutputDir(dir.resolve("o")).optSets("fast").build().make());
        assertTrue(bad.getMessage().contains("m.jsonl:2") && bad.getMessage().contains("no audio field"),
                bad.getMessage());

        Files.writeString(manifest, "{\"key\": \"a\", \"wav\": \"a.wav\", \"txt\": \"a\"}\n"
                + "{\"key\": \"a\", \"wav\": \"b.wav\", \"txt\": \"b\"}\n");
        IOException repeated = assertThrows(IOException.class, () -> OodSetMaker.builder().setManifest(manifest)
                .setOutputDir(dir.resolve("o")).optSets("fast").build().make());
        assertTrue(repeated.getMessage().contains("m.jsonl:2") && repeated.getMessage().contains("repeats"),
                repeated.getMessage());

        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> OodSetMaker.builder().optSets("fast,noisy"));
        assertTrue(unknown.getMessage().contains("'noisy'") && unknown.getMessage().contains("noiseNdb"),
                unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OodSetMaker.builder().optSets("fast,fast"));
    }
}
