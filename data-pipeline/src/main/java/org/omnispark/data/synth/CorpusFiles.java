package org.omnispark.data.synth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes manifest.jsonl and truth.jsonl: one JSON object per line, rows in key order, fields in a fixed order,
 * numbers rounded (confidence to 0.001, duration to 0.0001 s), so equal rows give equal bytes.
 */
final class CorpusFiles {
    /** The manifest's language field. */
    static final String LANGUAGE = "en";

    private static final JsonFactory JSON = new JsonFactory();

    private CorpusFiles() {
    }

    static void writeManifest(List<CorpusRow> rows, Path path) throws IOException {
        write(rows, path, false);
    }

    static void writeTruth(List<CorpusRow> rows, Path path) throws IOException {
        write(rows, path, true);
    }

    private static void write(List<CorpusRow> rows, Path path, boolean truth) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (CorpusRow row : rows) {
                out.write(truth ? truthLine(row) : manifestLine(row));
                out.write('\n');
            }
        }
        Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** {"key", "audio_filepath", "text", "confidence", "duration", "speaker", "language"}. */
    static String manifestLine(CorpusRow row) throws IOException {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(sw)) {
            g.writeStartObject();
            g.writeStringField("key", row.key());
            g.writeStringField("audio_filepath", row.audioPath());
            g.writeStringField("text", row.label());
            g.writeNumberField("confidence", row.confidence());
            g.writeNumberField("duration", CorpusPlanner.round(row.durationSeconds(), 10_000));
            g.writeStringField("speaker", row.voice().voice().espeakName());
            g.writeStringField("language", LANGUAGE);
            g.writeEndObject();
        }
        return sw.toString();
    }

    /** The manifest fields plus the truth: spoken text, voice, format, noise, corruption, damage, expectation. */
    static String truthLine(CorpusRow row) throws IOException {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(sw)) {
            g.writeStartObject();
            g.writeStringField("key", row.key());
            g.writeStringField("split", row.split().id());
            g.writeStringField("audio_filepath", row.audioPath());
            g.writeStringField("true_text", row.sentence().text());
            g.writeNumberField("words", row.sentence().wordCount());
            g.writeBooleanField("question", row.sentence().question());
            g.writeStringField("label", row.label());
            g.writeStringField("label_corruption", row.labelCorruption().id());
            g.writeNumberField("confidence", row.confidence());
            g.writeStringField("voice", row.voice().voice().espeakName());
            g.writeNumberField("rate_wpm", row.voice().rateWpm());
            g.writeNumberField("pitch", row.voice().pitch());
            g.writeStringField("format", row.format().id());
            if (row.noisy()) {
                g.writeNumberField("noise_snr_db", row.noiseSnrDb());
            } else {
                g.writeNullField("noise_snr_db");
            }
            g.writeStringField("damage", row.damage().id());
            if (row.damage().expectedReject() == null) {
                g.writeNullField("expected_reject");
            } else {
                g.writeStringField("expected_reject", row.damage().expectedReject().name());
            }
            g.writeNumberField("duration", CorpusPlanner.round(row.durationSeconds(), 10_000));
            g.writeEndObject();
        }
        return sw.toString();
    }
}
