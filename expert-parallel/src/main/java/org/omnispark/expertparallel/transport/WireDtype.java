package org.omnispark.expertparallel.transport;

import java.util.Arrays;
import java.util.List;

/**
 * The type of the values in a frame's body, written in every frame header ({@link Frames}) and checked by the
 * receiver. Token rows and all-reduce chunks travel as {@link #FLOAT32} (the default: exact) or {@link #BFLOAT16}
 * (half the bytes; {@code expert_parallel.wire_dtype}); counts and agreements always as {@link #INT64}.
 */
public enum WireDtype {
    /** IEEE float32, 4 bytes. */
    FLOAT32(0, 4, "float32"),
    /** bfloat16 (the upper half of a float32), 2 bytes. */
    BFLOAT16(1, 2, "bfloat16"),
    /** int64, 8 bytes. */
    INT64(2, 8, "int64");

    /** The values of {@code expert_parallel.wire_dtype}. */
    public static final List<String> FLOAT_FORMATS = List.of(FLOAT32.configName, BFLOAT16.configName);

    private final int code;
    private final int bytes;
    private final String configName;

    WireDtype(int code, int bytes, String configName) {
        this.code = code;
        this.bytes = bytes;
        this.configName = configName;
    }

    /** @return the code in a frame header */
    public int code() {
        return code;
    }

    /** @return bytes per value */
    public int bytes() {
        return bytes;
    }

    /** @return whether it carries floating-point tensors (token rows, all-reduce chunks) */
    public boolean isFloat() {
        return this != INT64;
    }

    /**
     * @param code a frame header's code
     * @return its type, or null for an unknown code
     */
    static WireDtype ofCode(int code) {
        return Arrays.stream(values()).filter(d -> d.code == code).findFirst().orElse(null);
    }

    /**
     * @param name {@code float32} or {@code bfloat16} (the value of {@code expert_parallel.wire_dtype})
     * @return the type float tensors travel as
     * @throws IllegalArgumentException for any other name
     */
    public static WireDtype forFloats(String name) {
        if (!FLOAT_FORMATS.contains(name)) {
            throw new IllegalArgumentException("expert_parallel.wire_dtype must be one of " + FLOAT_FORMATS
                    + ", got " + name);
        }
        return name.equals(BFLOAT16.configName) ? BFLOAT16 : FLOAT32;
    }

    @Override
    public String toString() {
        return configName;
    }
}
