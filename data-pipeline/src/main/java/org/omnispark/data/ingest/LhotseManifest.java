package org.omnispark.data.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.omnispark.data.RejectReason;

/**
 * Line parsers for Lhotse manifests as Lhotse writes them (JSONL, one object per line): a CutSet, where every
 * supervision of a cut is one input row, and the lines of a RecordingSet and a SupervisionSet, whose join by
 * recording id runs on Spark ({@link ManifestSource}). Every row keeps its manifest file and 0-based line (the cut's
 * line for all of its supervisions); a line or supervision that cannot be used becomes a reject, never an exception.
 * The cuts of a Lhotse Shar shard are parsed the same way ({@link #parseSharCut}), their audio left for
 * {@link LhotseSharSource} to find in the shard's tar.
 */
public final class LhotseManifest {
    /** Cut types that point at one recording's audio, each supervision a channel of it. */
    static final Set<String> DATA_CUTS = Set.of("MonoCut", "MultiCut", "Cut");
    /** Every cut type Lhotse writes ("Cut" is MonoCut's name before Lhotse 0.8). */
    static final Set<String> CUT_TYPES = Set.of("MonoCut", "MultiCut", "Cut", "MixedCut", "PaddingCut");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private LhotseManifest() {
    }

    /** What a Lhotse manifest line holds, told by its shape as Lhotse's own deserializer does. */
    public enum Kind { CUT, RECORDING, SUPERVISION }

    /**
     * A parsed line of a RecordingSet or SupervisionSet: the value, or the reject it became.
     *
     * @param value the parsed object, or null
     * @param reject the reject, or null
     */
    public record Parsed<T>(T value, ParsedLine reject) implements Serializable {
    }

    /** The kind of a Lhotse object, or null when it is none of them (e.g. a JSON-lines manifest row). */
    public static Kind kindOf(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode type = node.get("type");
        if (type != null && type.isTextual() && CUT_TYPES.contains(type.textValue())) {
            return Kind.CUT;
        }
        if (node.has("sources") && node.get("sources").isArray()) {
            return Kind.RECORDING;
        }
        if (type == null && node.has("recording_id") && node.has("start") && node.has("duration")) {
            return Kind.SUPERVISION;
        }
        return null;
    }

    /** A JSON object read from a line, or null when the line is not one. */
    static JsonNode readObject(String lineText) {
        try {
            JsonNode n = MAPPER.readTree(lineText.startsWith("\uFEFF") ? lineText.substring(1) : lineText);
            return n != null && n.isObject() ? n : null;
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Parses one line of a CutSet into one row per supervision; a line that is not a usable cut gives one reject.
     *
     * @param lineText the raw line
     * @param source the cuts file
     * @param line the 0-based line number
     */
    public static List<ParsedLine> parseCut(String lineText, String source, long line) {
        return parseCut(lineText, source, line, false);
    }

    /**
     * Parses one line of a Lhotse Shar shard's {@code cuts.NNNNNN.jsonl[.gz]} as {@link #parseCut(String, String,
     * long)} does, except that the recording's {@code shar} placeholder is the cut's tar member: rows on it have the
     * audio path {@link LhotseRecording#SHAR_MEMBER} + the cut id (see {@link #sharCutId}), for the reader to join
     * with the shard's {@code recording.NNNNNN.tar}. Lhotse writes the cut with start 0 and its audio alone, so the
     * supervisions' starts are offsets into the member.
     */
    public static List<ParsedLine> parseSharCut(String lineText, String source, long line) {
        return parseCut(lineText, source, line, true);
    }

    /** The cut id of a row parsed by {@link #parseSharCut} whose audio is a Shar member, else null. */
    public static String sharCutId(ParsedLine row) {
        if (row.isMalformed() || !row.entry().audioPath().startsWith(LhotseRecording.SHAR_MEMBER)) {
            return null;
        }
        return row.entry().audioPath().substring(LhotseRecording.SHAR_MEMBER.length());
    }

    private static List<ParsedLine> parseCut(String lineText, String source, long line, boolean shar) {
        String where = source + ":" + (line + 1);
        ParsedLine tooLong = ManifestLines.tooLongReject(lineText, where, source, line);
        if (tooLong != null) {
            return List.of(tooLong);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(lineText.startsWith("\uFEFF") ? lineText.substring(1) : lineText);
        } catch (JsonProcessingException e) {
            return List.of(ParsedLine.malformed("not valid JSON: " + e.getOriginalMessage(), where, source, line));
        } catch (RuntimeException e) {
            return List.of(ParsedLine.malformed("cannot be parsed: " + e, where, source, line));
        }
        if (node == null || !node.isObject()) {
            return List.of(ParsedLine.malformed("a cut line must be a JSON object", where, source, line));
        }
        String cutId = text(node, "id");
        String hint = cutId == null ? where : cutId;
        String type = text(node, "type");
        if (type == null || !CUT_TYPES.contains(type)) {
            return List.of(ParsedLine.malformed("not a Lhotse cut: 'type' is " + (type == null ? "absent" : "'"
                    + type + "'") + ", expected MonoCut (a RecordingSet or SupervisionSet line? pass the "
                    + "recordings and supervisions files as a pair)", hint, source, line));
        }
        if (!DATA_CUTS.contains(type)) {
            return List.of(ParsedLine.rejected(RejectReason.UNSUPPORTED_AUDIO, "cut '" + hint + "' is a " + type
                    + ", whose audio Lhotse computes (mixing or padding); prepare reads recordings as they are: "
                    + "write such cuts' audio to files first (CutSet.save_audios)", hint, source, line));
        }
        if (cutId == null) {
            return List.of(ParsedLine.malformed("the cut has no 'id'", where, source, line));
        }
        JsonNode sups = node.get("supervisions");
        if (sups == null || sups.isNull() || (sups.isArray() && sups.isEmpty())) {
            return List.of(ParsedLine.rejected(RejectReason.EMPTY_TRANSCRIPT, "cut '" + cutId + "' has no "
                    + "supervisions, so no transcript: prepare makes one row per supervision; leave unsupervised "
                    + "cuts out (cuts.filter(lambda c: len(c.supervisions) > 0))", cutId, source, line));
        }
        if (!sups.isArray()) {
            return List.of(ParsedLine.malformed("cut '" + cutId + "': 'supervisions' is not a list", cutId, source,
                    line));
        }
        double cutStart;
        Integer cutChannel;
        LhotseRecording recording = null;
        String recordingError = null;
        try {
            cutStart = requiredNumber(node, "start", "cut '" + cutId + "'");
            List<Integer> ch = channels(node.get("channel"), "channel of cut '" + cutId + "'");
            cutChannel = ch != null && ch.size() == 1 ? ch.get(0) : null;
        } catch (IllegalArgumentException e) {
            return List.of(ParsedLine.malformed(e.getMessage(), cutId, source, line));
        }
        JsonNode rec = node.get("recording");
        if (rec == null || rec.isNull()) {
            recordingError = "cut '" + cutId + "' has no recording (a features-only cut?): prepare computes its "
                    + "features from audio, so the cut must carry its recording";
        } else {
            try {
                recording = LhotseRecording.parse(rec);
                if (shar) {
                    recording = recording.withSharMember(cutId);
                }
            } catch (IllegalArgumentException e) {
                recordingError = "cut '" + cutId + "': " + e.getMessage();
            }
        }
        List<ParsedLine> out = new ArrayList<>(sups.size());
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < sups.size(); i++) {
            String supHint = cutId + "/supervisions[" + i + "]";
            LhotseSupervision s;
            try {
                s = LhotseSupervision.parse(sups.get(i));
            } catch (IllegalArgumentException e) {
                out.add(ParsedLine.malformed("cut '" + cutId + "': " + e.getMessage(), supHint, source, line));
                continue;
            }
            String key = s.id() != null ? s.id() : sups.size() == 1 ? cutId : null;
            if (key == null || key.isBlank()) {
                out.add(ParsedLine.malformed("supervision " + i + " of cut '" + cutId + "' has no 'id' (only a "
                        + "cut's single supervision may go without one: it takes the cut's id)", supHint, source, line));
            } else if (!keys.add(key)) {
                out.add(ParsedLine.rejected(RejectReason.DUPLICATE_KEY, "supervision id '" + key + "' appears "
                        + "twice in cut '" + cutId + "'; the first is kept", key, source, line));
            } else if (recording == null) {
                out.add(ParsedLine.rejected(rec == null || rec.isNull() ? RejectReason.MISSING_AUDIO
                        : RejectReason.MALFORMED_MANIFEST_LINE, recordingError, key, source, line));
            } else {
                out.add(s.toParsedLine(key, recording, cutStart, cutChannel, source, line));
            }
        }
        return out;
    }

    /** Parses one RecordingSet line. */
    public static Parsed<LhotseRecording> parseRecording(String lineText, String source, long line) {
        String where = source + ":" + (line + 1);
        ParsedLine tooLong = ManifestLines.tooLongReject(lineText, where, source, line);
        if (tooLong != null) {
            return new Parsed<>(null, tooLong);
        }
        JsonNode node = readObject(lineText);
        if (node == null) {
            return new Parsed<>(null, ParsedLine.malformed("not a JSON object: a RecordingSet line is one "
                    + "recording", where, source, line));
        }
        try {
            return new Parsed<>(LhotseRecording.parse(node), null);
        } catch (IllegalArgumentException e) {
            String id = text(node, "id");
            return new Parsed<>(null, ParsedLine.malformed(e.getMessage(), id == null ? where : id, source, line));
        }
    }

    /** Parses one SupervisionSet line; it needs an id and a recording_id. */
    public static Parsed<LhotseSupervision> parseSupervision(String lineText, String source, long line) {
        String where = source + ":" + (line + 1);
        ParsedLine tooLong = ManifestLines.tooLongReject(lineText, where, source, line);
        if (tooLong != null) {
            return new Parsed<>(null, tooLong);
        }
        JsonNode node = readObject(lineText);
        if (node == null) {
            return new Parsed<>(null, ParsedLine.malformed("not a JSON object: a SupervisionSet line is one "
                    + "supervision", where, source, line));
        }
        String id = text(node, "id");
        try {
            LhotseSupervision s = LhotseSupervision.parse(node);
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("the supervision has no 'id'");
            }
            if (s.recordingId() == null || s.recordingId().isBlank()) {
                throw new IllegalArgumentException("supervision '" + id + "' has no 'recording_id'");
            }
            return new Parsed<>(s, null);
        } catch (IllegalArgumentException e) {
            return new Parsed<>(null, ParsedLine.malformed(e.getMessage(), id == null ? where : id, source, line));
        }
    }

    /**
     * The row of a SupervisionSet line joined with its recording.
     *
     * @param recording the recording of that id, or null when the RecordingSet has none
     * @param recordings the RecordingSet's file, for the message
     */
    public static ParsedLine pairRow(LhotseSupervision s, LhotseRecording recording, String recordings,
                                     String source, long line) {
        if (recording == null) {
            return ParsedLine.rejected(RejectReason.MISSING_AUDIO, "recording '" + s.recordingId() + "' is not in "
                    + recordings + ": add it there, or drop the supervision", s.id(), source, line);
        }
        return s.toParsedLine(s.id(), recording, 0, null, source, line);
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isTextual() ? v.textValue() : v.toString();
    }

    static String requiredText(JsonNode node, String field, String what) {
        String v = text(node, field);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(what + " has no '" + field + "'");
        }
        return v;
    }

    static double requiredNumber(JsonNode node, String field, String what) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(what + " has no '" + field + "'");
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(what + ": '" + field + "' is not a number: " + v);
        }
        return v.doubleValue();
    }

    /** A channel field: an int or a list of ints; null when absent. */
    static List<Integer> channels(JsonNode v, String what) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isInt()) {
            return List.of(v.intValue());
        }
        if (v.isArray()) {
            List<Integer> out = new ArrayList<>();
            for (JsonNode c : v) {
                if (!c.isInt()) {
                    throw new IllegalArgumentException(what + " must be integers, got " + v);
                }
                out.add(c.intValue());
            }
            return List.copyOf(out);
        }
        throw new IllegalArgumentException(what + " must be an integer or a list of integers, got " + v);
    }
}
