package org.omnispark.data.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

/** Each flag of {@code omnispark synth} shows in the corpus it writes (truth.jsonl records what was done per row). */
class SynthCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        RequiredTools.require("espeak-ng", "sox");
    }

    private Path synth(String name, String... flags) {
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("synth", "--out", out.toString()));
        args.addAll(List.of(flags));
        assertEquals(0, Main.commandLine().execute(args.toArray(String[]::new)), "synth " + args);
        return out;
    }

    private static List<JsonNode> truth(Path corpus) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(corpus.resolve("truth.jsonl"))) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    private static long count(List<JsonNode> rows, java.util.function.Predicate<JsonNode> p) {
        return rows.stream().filter(p).count();
    }

    @Test
    void everyFlagShowsInTheCorpus() throws IOException {
        List<JsonNode> a = truth(synth("a", "--utterances", "8", "--seed", "5", "--split", "heldout",
                "--corrupt-labels", "0.25", "--damaged-audio", "0.25", "--noise", "0.5", "--no-format-mix",
                "--threads", "1"));
        assertEquals(8, a.size(), "--utterances");
        assertEquals(8, count(a, r -> r.get("split").asText().equals("heldout")), "--split heldout");
        assertEquals(2, count(a, r -> !r.get("label_corruption").asText().equals("none")), "--corrupt-labels 0.25");
        assertEquals(2, count(a, r -> !r.get("damage").asText().equals("none")), "--damaged-audio 0.25");
        assertEquals(4, count(a, r -> !r.get("noise_snr_db").isNull()), "--noise 0.5");
        assertEquals(count(a, r -> r.get("damage").asText().equals("none")),
                count(a, r -> r.get("damage").asText().equals("none")
                        && r.get("format").asText().equals("wav-16000-1ch-pcm16")),
                "--no-format-mix: 16 kHz mono 16-bit WAV");

        List<JsonNode> b = truth(synth("b", "--utterances", "8", "--seed", "5", "--split", "heldout",
                "--corrupt-labels", "0.25", "--damaged-audio", "0.25", "--noise", "0.5", "--no-format-mix",
                "--threads", "2"));
        assertEquals(a.toString(), b.toString(), "--threads changes the speed, not the corpus");

        List<JsonNode> c = truth(synth("c", "--utterances", "8", "--seed", "6", "--corrupt-labels", "0"));
        assertNotEquals(a.stream().map(r -> r.get("true_text").asText()).toList(),
                c.stream().map(r -> r.get("true_text").asText()).toList(), "--seed changes the sentences");
        assertEquals(8, count(c, r -> r.get("split").asText().equals("train")), "default split: train");
        assertEquals(0, count(c, r -> !r.get("label_corruption").asText().equals("none")), "--corrupt-labels 0");
        assertEquals(0, count(c, r -> !r.get("damage").asText().equals("none")), "default: no damaged audio");
        assertEquals(0, count(c, r -> !r.get("noise_snr_db").isNull()), "default: no noise");

        List<JsonNode> mixed = truth(synth("d", "--utterances", "24", "--seed", "6", "--format-mix"));
        assertTrue(count(mixed, r -> !r.get("format").asText().equals("wav-16000-1ch-pcm16")) > 0,
                "--format-mix: other rates, channels and codecs");
    }
}
