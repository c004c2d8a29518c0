package org.omnispark.data.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The audio column of a Hugging Face Parquet table: how {@code datasets} stores its {@code Audio} feature, a top-level
 * {@code struct<bytes: binary, path: string>}. Found, in this order, as the column the file's {@code huggingface}
 * metadata types {@code "_type": "Audio"}, a struct named {@code audio}, or the first struct with a binary
 * {@code bytes} field and a {@code path} field.
 *
 * @param index the column's position among the top-level fields
 * @param name the column's name
 * @param bytes the position of {@code bytes} in the struct, or -1
 * @param path the position of {@code path} in the struct, or -1
 */
record HfAudioColumn(int index, String name, int bytes, int path) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One row's audio: the encoded file, its name or path; either may be null. */
    record Value(byte[] bytes, String path) {
    }

    /** The audio column of {@code schema}, or null when it has none. */
    static HfAudioColumn find(MessageType schema, Map<String, String> metadata) {
        String typed = audioFeature(metadata == null ? null : metadata.get("huggingface"));
        HfAudioColumn byName = null;
        HfAudioColumn byShape = null;
        for (int i = 0; i < schema.getFieldCount(); i++) {
            HfAudioColumn c = of(schema.getType(i), i);
            if (c == null) {
                continue;
            }
            if (c.name().equals(typed)) {
                return c;
            }
            if (byName == null && c.name().equals("audio")) {
                byName = c;
            }
            if (byShape == null && c.bytes() >= 0 && c.path() >= 0) {
                byShape = c;
            }
        }
        return byName != null ? byName : byShape;
    }

    /** The column as an audio struct, or null when it has neither a binary {@code bytes} nor a {@code path}. */
    private static HfAudioColumn of(Type t, int index) {
        if (t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
            return null;
        }
        GroupType g = t.asGroupType();
        int bytes = g.containsField("bytes") && isBinary(g.getType("bytes")) ? g.getFieldIndex("bytes") : -1;
        int path = g.containsField("path") && isBinary(g.getType("path")) ? g.getFieldIndex("path") : -1;
        return bytes < 0 && path < 0 ? null : new HfAudioColumn(index, t.getName(), bytes, path);
    }

    private static boolean isBinary(Type t) {
        return t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED)
                && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY;
    }

    /** The first feature typed Audio in the {@code huggingface} metadata JSON, or null. */
    static String audioFeature(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode features = MAPPER.readTree(json).path("info").path("features");
            for (Iterator<Map.Entry<String, JsonNode>> it = features.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if ("Audio".equals(f.getValue().path("_type").asText())) {
                    return f.getKey();
                }
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // unreadable metadata: the column is found by its name or shape
        }
        return null;
    }

    /** This column's value in one record. */
    Value read(Group record) {
        if (record.getFieldRepetitionCount(index) == 0) {
            return new Value(null, null);
        }
        Group a = record.getGroup(index, 0);
        byte[] data = bytes >= 0 && a.getFieldRepetitionCount(bytes) > 0 ? a.getBinary(bytes, 0).getBytes() : null;
        String p = path >= 0 && a.getFieldRepetitionCount(path) > 0 ? a.getString(path, 0) : null;
        return new Value(data, p == null || p.isBlank() ? null : p);
    }
}
