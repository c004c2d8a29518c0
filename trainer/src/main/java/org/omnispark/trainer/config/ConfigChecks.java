package org.omnispark.trainer.config;

import java.util.List;

/** Validation helpers whose messages name the offending config key. */
final class ConfigChecks {

    private ConfigChecks() {}

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    static String oneOf(String key, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException(key + " must be one of " + allowed + ", got '" + value + "'");
        }
        return value;
    }

    static void range(String key, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
