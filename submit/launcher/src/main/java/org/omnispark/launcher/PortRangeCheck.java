package org.omnispark.launcher;

/**
 * {@code spark.omnispark.mesh.ports}: the ports the training ranks listen on for each other (the expert exchange), as
 * {@code FIRST-LAST}; checked here so that a typo fails before submitting, not on the executors.
 */
final class PortRangeCheck {

    /** The Spark property. */
    static final String KEY = "spark.omnispark.mesh.ports";

    private PortRangeCheck() {}

    /** @param value e.g. 40000-40100 @return what is wrong with it, or null */
    static String problem(String value) {
        String v = value.trim();
        if (!v.matches("[0-9]{1,5}-[0-9]{1,5}")) {
            return KEY + " must be a port range FIRST-LAST such as 40000-40100, got '" + value + "'";
        }
        int dash = v.indexOf('-');
        int first = Integer.parseInt(v.substring(0, dash));
        int last = Integer.parseInt(v.substring(dash + 1));
        if (first < 1 || last > 65535 || first > last) {
            return KEY + " must be FIRST-LAST with 1 <= FIRST <= LAST <= 65535, got '" + value + "'";
        }
        return null;
    }
}
