package org.omnispark.data.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * Parses JSON-lines manifests. Accepts OmniSpark's own field names and those of WeNet ({@code key, wav, txt})
 * and NeMo ({@code audio_filepath, text, duration, offset}).
 *
 * <table>
 *   <caption>Accepted field names, first match wins</caption>
 *   <tr><td>key</td><td>key, utt, utt_id, id</td></tr>
 *   <tr><td>audio</td><td>audio_filepath, wav, audio, path</td></tr>
 *   <tr><td>text</td><td>text, txt, transcript</td></tr>
 *   <tr><td>confidence</td><td>confidence, score</td></tr>
 *   <tr><td>speaker</td><td>speaker, spk</td></tr>
 *   <tr><td>language</td><td>language, lang</td></tr>
 *   <tr><td>segment</td><td>offset (s); length (s), or NeMo's duration when offset is given</td></tr>
 * </table>
 *
 * <p>A NeMo row without a key gets the audio path (plus the offset, for segments) as its key.
 */
public final class JsonLinesManifest {
    static final List<String> KEY_FIELDS = List.of("key", "utt", "utt_id", "id");
    static final List<String> AUDIO_FIELDS = List.of("audio_filepath", "wav", "audio", "path");
    static final List<String> TEXT_FIELDS = List.of("text", "txt", "transcript");
    static final List<String> CONFIDENCE_FIELDS = List.of("confidence", "score");
    static final List<String> SPEAKER_FIELDS = List.of("speaker", "spk");
    static final List<String> LANGUAGE_FIELDS = List.of("language", "lang");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLinesManifest() {
    }

    /**
     * Parses one line.
     *
     * @param lineText the raw line
     * @param source the manifest file's path (for the rejects table and relative audio paths)
     * @param line the 0-based line number
     * @return the entry, or the reason the line is malformed
     */
    public static ParsedLine parse(String lineText, String source, long line) {
        String keyHint = source + ":" + (line + 1);
        ParsedLine tooLong = ManifestLines.tooLongReject(lineText, keyHint, source, line);
        if (tooLong != null) {
            return tooLong;
        }
        JsonNode node;
        try {
            // a byte-order mark (Windows editors write one at the start of a file) is not part of the JSON
            node = MAPPER.readTree(lineText.startsWith("\uFEFF") ? lineText.substring(1) : lineText);
        } catch (JsonProcessingException e) {
            return ParsedLine.malformed("not valid JSON: " + e.getOriginalMessage(), keyHint, source, line);
        } catch (RuntimeException e) { // whatever a line holds, it is a reject, never a failed job
            return ParsedLine.malformed("cannot be parsed: " + e, keyHint, source, line);
        }
        if (node == null || !node.isObject()) {
            return ParsedLine.malformed("a manifest line must be a JSON object", keyHint, source, line);
        }
        return parse(node, source, line, keyHint);
    }

    /**
     * Maps one manifest object (a parsed line, or a row of another table format turned into an object) to an entry
     * by the field names above.
     *
     * @param keyHint what names the row in a reject when it has no key
     */
    static ParsedLine parse(JsonNode node, String source, long line, String keyHint) {
        String audio = text(node, AUDIO_FIELDS);
        String key = text(node, KEY_FIELDS);
        Double offset;
        try {
            offset = number(node, List.of("offset"));
        } catch (IllegalArgumentException e) {
            return ParsedLine.malformed(e.getMessage(), key != null ? key : keyHint, source, line);
        }
        if (key == null && audio != null) {
            key = offset == null ? audio : audio + "@" + offset;
        }
        if (key == null || key.isBlank()) {
            return ParsedLine.malformed("no key field (one of " + KEY_FIELDS + ")", keyHint, source, line);
        }
        if (audio == null || audio.isBlank()) {
            return ParsedLine.malformed("no audio field (one of " + AUDIO_FIELDS + ")", key, source, line);
        }
        String text = text(node, TEXT_FIELDS);
        if (text == null) {
            return ParsedLine.malformed("no text field (one of " + TEXT_FIELDS + ")", key, source, line);
        }
        Double confidence;
        Double duration;
        Double length;
        try {
            confidence = number(node, CONFIDENCE_FIELDS);
            duration = number(node, List.of("duration"));
            length = number(node, List.of("length"));
        } catch (IllegalArgumentException e) {
            return ParsedLine.malformed(e.getMessage(), key, source, line);
        }
        if (confidence != null && (confidence.isNaN() || confidence < 0 || confidence > 1)) {
            return ParsedLine.malformed("confidence must be in [0, 1], got " + confidence, key, source, line);
        }
        double segOffset = offset == null ? 0 : offset;
        double segLength = length != null ? length : (offset != null && duration != null ? duration : -1);
        if (segOffset < 0) {
            return ParsedLine.malformed("offset must be >= 0, got " + segOffset, key, source, line);
        }
        ManifestEntry entry = new ManifestEntry(key, audio, text, confidence, duration,
                text(node, SPEAKER_FIELDS), text(node, LANGUAGE_FIELDS), segOffset, segLength, source, line);
        return ParsedLine.ok(entry);
    }

    private static String text(JsonNode node, List<String> names) {
        for (String name : names) {
            JsonNode v = node.get(name);
            if (v != null && !v.isNull()) {
                return v.isTextual() ? v.textValue() : v.toString();
            }
        }
        return null;
    }

    private static Double number(JsonNode node, List<String> names) {
        for (String name : names) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                continue;
            }
            if (v.isNumber()) {
                return v.doubleValue();
            }
            if (v.isTextual()) {
                try {
                    return Double.parseDouble(v.textValue().trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("field '" + name + "' is not a number: " + v.textValue());
                }
            }
            throw new IllegalArgumentException("field '" + name + "' is not a number: " + v);
        }
        return null;
    }
}
