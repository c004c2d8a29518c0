package org.omnispark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * An exported safetensors file: its header's tensor entries (without {@code __metadata__}, which names the source) and
 * its data.
 *
 * @param tensors name -> the header's entry (dtype, shape, data offsets) as JSON
 * @param data the bytes after the header
 */
record Safetensors(Map<String, String> tensors, byte[] data) {

    static Safetensors read(byte[] file) throws IOException {
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertTrue(headerLength > 0 && headerLength < file.length - 8, "a safetensors header of " + headerLength);
        com.fasterxml.jackson.databind.JsonNode header = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        Map<String, String> tensors = new TreeMap<>();
        header.properties().forEach(e -> {
            if (!e.getKey().equals("__metadata__")) {
                tensors.put(e.getKey(), e.getValue().toString());
            }
        });
        return new Safetensors(tensors, java.util.Arrays.copyOfRange(file, 8 + (int) headerLength, file.length));
    }

    /** @return the largest |a - b| over every value of two files of the same float32 tensors */
    double maxAbsDifference(Safetensors other) {
        assertEquals(tensors, other.tensors, "the same tensors");
        assertTrue(tensors.values().stream().allMatch(t -> t.contains("\"dtype\":\"F32\"")), "float32 only: "
                + tensors.values());
        assertEquals(data.length, other.data.length);
        ByteBuffer a = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.wrap(other.data).order(ByteOrder.LITTLE_ENDIAN);
        double max = 0;
        for (int i = 0; i + 4 <= data.length; i += 4) {
            float x = a.getFloat(i);
            float y = b.getFloat(i);
            if (Float.isNaN(x) != Float.isNaN(y)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, Math.abs((double) x - y));
        }
        return max;
    }
}
