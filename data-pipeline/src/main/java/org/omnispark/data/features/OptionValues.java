package org.omnispark.data.features;

/** Typed reads of option values parsed from JSON or YAML maps, with messages that name the key. */
final class OptionValues {
    private OptionValues() {
    }

    static double toDouble(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("Fbank option '" + key + "' must be a number, got " + describe(v));
    }

    static int toInt(String key, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return (int) n.doubleValue();
        }
        throw new IllegalArgumentException("Fbank option '" + key + "' must be an integer, got " + describe(v));
    }

    static boolean toBoolean(String key, Object v) {
        if (v instanceof Boolean bool) {
            return bool;
        }
        if ("true".equals(v) || "false".equals(v)) {
            return Boolean.parseBoolean((String) v);
        }
        throw new IllegalArgumentException("Fbank option '" + key + "' must be true or false, got " + describe(v));
    }

    static String toText(String key, Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("Fbank option '" + key + "' must be a string, got " + describe(v));
    }

    private static String describe(Object v) {
        return v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")";
    }
}
