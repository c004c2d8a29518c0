package org.omnispark.expertparallel.transport;

/**
 * The ports a rank may listen on for its peers ({@code spark.omnispark.mesh.ports FIRST-LAST}), so that firewalls and
 * Kubernetes NetworkPolicies can open exactly them. Each rank takes the first free port of the range on its host:
 * the range needs at least as many ports as ranks run on one host at once (ranks of concurrent jobs included).
 *
 * @param first the lowest port
 * @param last the highest port, inclusive
 */
public record PortRange(int first, int last) {

    /** The Spark property that sets it (a cluster file line such as {@code spark.omnispark.mesh.ports 40000-40100}). */
    public static final String PROPERTY = "spark.omnispark.mesh.ports";

    /** Validates. */
    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException(PROPERTY + " must be FIRST-LAST with 1 <= FIRST <= LAST <= 65535, got "
                    + first + "-" + last);
        }
    }

    /**
     * @param spec FIRST-LAST, e.g. 40000-40100; null or blank for none
     * @return the range, or null when none is set (the OS then chooses a port)
     * @throws IllegalArgumentException for anything else
     */
    public static PortRange parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        String s = spec.trim();
        if (!s.matches("[0-9]{1,5}-[0-9]{1,5}")) {
            throw new IllegalArgumentException(PROPERTY + " must be a port range FIRST-LAST such as 40000-40100, got '"
                    + spec + "'");
        }
        int dash = s.indexOf('-');
        return new PortRange(Integer.parseInt(s.substring(0, dash)), Integer.parseInt(s.substring(dash + 1)));
    }

    /** @return how many ports */
    public int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
