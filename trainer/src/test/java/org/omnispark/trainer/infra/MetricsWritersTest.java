package org.omnispark.trainer.infra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.config.ConfigLoader;

/** JSON-lines and TensorBoard writers, read back by our reader and by an independent Python reader; progress line. */
class MetricsWritersTest {

    @TempDir
    Path dir;

    private static StepMetrics metrics(long step, double loss) {
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("loss", loss);
        losses.put("ctc", loss * 2);
        losses.put("aux", 0.01);
        return new StepMetrics(step, 1, losses, 4e-4, 1.5, 5200.0, 1.7e9 + step);
    }

    @Test
    void maskedCrcOfKnownValues() {
        // CRC32C("123456789") = 0xE3069283 (the standard check value);
        // rotr(c, 15) = (c >>> 15) | (c << 17) = 0x0001C60D | 0x25060000 = 0x2507C60D;
        // masked = 0x2507C60D + 0xA282EAD8 = 0xC78AB0E5 (mod 2^32)
        byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xC78AB0E5, TfRecords.maskedCrc32c(data, 0, data.length));
    }

    @Test
    void eventProtobufHasTheExpectedWireBytes() {
        // wall_time 1.0 -> 0x09 + LE double 3FF0000000000000; step 300 -> 0x10 varint AC 02;
        // summary -> 0x2A len 0x0A, value -> 0x0A len 0x08, tag "a" -> 0A 01 61, simple_value 2.0f -> 15 00000040
        byte[] expected = {0x09, 0, 0, 0, 0, 0, 0, (byte) 0xF0, 0x3F, 0x10, (byte) 0xAC, 0x02,
            0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0, 0, 0, 0x40};
        assertArrayEquals(expected, new TensorBoardEvent(1.0, 300, "", Map.of("a", 2.0f)).encode());
    }

    @Test
    void tensorBoardFileParsesBackWithOwnReader() throws IOException {
        Path file = writeEvents();
        List<TensorBoardEvent> events = TensorBoardWriter.read(file);
        assertEquals(4, events.size(), "file-version event + 3 steps");
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(1.7e9, events.get(0).wallTime());
        TensorBoardEvent second = events.get(2);
        assertEquals(20, second.step());
        assertEquals(1.7e9 + 20, second.wallTime());
        assertEquals(List.of("train/loss", "train/ctc", "train/aux", "train/lr", "train/grad_norm",
                "train/tokens_per_s"), List.copyOf(second.scalars().keySet()));
        assertEquals(2.5f, second.scalars().get("train/loss"));
        assertEquals(5.0f, second.scalars().get("train/ctc"));
        assertEquals(4e-4f, second.scalars().get("train/lr"));
    }

    @Test
    void corruptedRecordIsRejected() throws IOException {
        Path file = writeEvents();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 0x10; // inside the last event's payload
        IOException e = assertThrows(IOException.class,
                () -> TfRecords.readAll(new ByteArrayInputStream(bytes)));
        assertTrue(e.getMessage().contains("record 3") && e.getMessage().contains("CRC"), e.getMessage());
    }

    @Test
    void tfRecordRoundTripOfArbitraryPayloads() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[][] payloads = {new byte[0], {1, 2, 3}, new byte[300]};
        for (byte[] p : payloads) {
            TfRecords.write(out, p);
        }
        assertEquals(3 * 16 + 303, out.size(), "16 bytes of framing per record");
        List<byte[]> back = TfRecords.readAll(new ByteArrayInputStream(out.toByteArray()));
        for (int i = 0; i < payloads.length; i++) {
            assertArrayEquals(payloads[i], back.get(i));
        }
    }

    @Test
    void tensorBoardFileParsesWithIndependentPythonReader() throws Exception {
        Path python = Paths.get("/usr/bin/python3");
        org.omnispark.data.tools.RequiredTools.check(Files.isExecutable(python), "skipped: /usr/bin/python3 not installed (the Java reader test "
                + "still checks the file)");
        Path script = Paths.get("src/test/python/read_tfevents.py").toAbsolutePath();
        org.omnispark.data.tools.RequiredTools.check(Files.exists(script), "skipped: run from the trainer module folder to find " + script);
        Path file = writeEvents();
        Process process = new ProcessBuilder(python.toString(), script.toString(), file.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        List<TensorBoardEvent> ours = TensorBoardWriter.read(file);
        String[] lines = output.strip().split("\n");
        assertEquals(ours.size(), lines.length, output);
        for (int i = 0; i < lines.length; i++) {
            JsonNode event = ConfigLoader.json().readTree(lines[i]);
            assertEquals(ours.get(i).step(), event.get("step").asLong(), lines[i]);
            assertEquals(ours.get(i).wallTime(), event.get("wall_time").asDouble(), lines[i]);
            assertEquals(ours.get(i).fileVersion(), event.get("file_version").asText(), lines[i]);
            assertEquals(ours.get(i).scalars().size(), event.get("scalars").size(), lines[i]);
            for (Map.Entry<String, Float> s : ours.get(i).scalars().entrySet()) {
                assertEquals(s.getValue(), (float) event.get("scalars").get(s.getKey()).asDouble(), lines[i]);
            }
        }
    }

    private Path writeEvents() throws IOException {
        try (TensorBoardWriter writer = new TensorBoardWriter(dir.resolve("tb"), 1.7e9)) {
            for (int step = 10; step <= 30; step += 10) {
                writer.write(metrics(step, step / 8.0));
            }
            return writer.file().toLocalPath();
        }
    }

    @Test
    void jsonLinesHaveOneObjectPerStepAndAppend() throws IOException {
        Path file = dir.resolve("run/metrics.jsonl");
        try (JsonLinesMetricsWriter writer = new JsonLinesMetricsWriter(file)) {
            writer.write(metrics(1, 3.0));
        }
        try (JsonLinesMetricsWriter writer = new JsonLinesMetricsWriter(file)) { // a resumed run appends
            writer.write(new StepMetrics(2, 1, Map.of("loss", 2.0), 1e-3, Double.NaN, Double.NaN, 5.0));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        JsonNode first = ConfigLoader.json().readTree(lines.get(0));
        assertEquals(1, first.get("step").asLong());
        assertEquals(1, first.get("epoch").asInt());
        assertEquals(3.0, first.get("loss").asDouble());
        assertEquals(6.0, first.get("ctc").asDouble());
        assertEquals(4e-4, first.get("lr").asDouble());
        assertEquals(1.5, first.get("grad_norm").asDouble());
        assertEquals(5200.0, first.get("tokens_per_s").asDouble());
        assertEquals(1.7e9 + 1, first.get("time").asDouble());
        JsonNode second = ConfigLoader.json().readTree(lines.get(1));
        assertEquals("NaN", second.get("grad_norm").asText(), "non-finite values stay valid JSON");
        assertThrows(IllegalArgumentException.class, () -> new JsonLinesMetricsWriter(dir.resolve("x.jsonl"))
                .toJson(new StepMetrics(1, 0, Map.of("lr", 1.0), 0, 0, 0, 0)));
    }

    @Test
    void progressLineShowsSpeedAndEta() {
        // resumed at step 100 at t=0; at t=20 s we are at step 150: 50 steps / 20 s = 2.50 step/s;
        // ETA = (1000 - 150) / 2.5 = 340 s = 5m40s; 150 / 1000 = 15.0%
        ConsoleProgress progress = new ConsoleProgress(1000, 100, 0);
        assertEquals("step 150/1000 (15.0%) | epoch 2 | loss 3.2100 | lr 4.00e-04 | 2.50 step/s | ETA 5m40s",
                progress.line(150, 2, 3.21, 4e-4, 20_000_000_000L));
        assertEquals("step 100/1000 (10.0%) | epoch 0 | loss 1.0000 | lr 1.00e-03",
                progress.line(100, 0, 1.0, 1e-3, 0), "no speed before the first step of the session");
        assertEquals("1h02m03s", ConsoleProgress.duration(3723));
        assertEquals("42s", ConsoleProgress.duration(42));
    }
}
