package org.omnispark.launcher;

/** The kinds of Spark master the launcher knows, each with its own way to ship files and find GPUs. */
enum MasterKind {
    /** No master, local, local[N], local-cluster[...]: an embedded Spark in a JVM started here. */
    LOCAL,
    /** yarn. */
    YARN,
    /** k8s://https://host:port. */
    KUBERNETES,
    /** spark://host:port (Spark standalone). */
    STANDALONE;

    /**
     * @param master a master URL, or null
     * @return its kind
     * @throws LaunchException for a master Spark 4 does not support
     */
    static MasterKind of(String master) {
        if (master == null || master.isEmpty() || master.startsWith("local")) {
            return LOCAL;
        }
        if (master.equals("yarn")) {
            return YARN;
        }
        if (master.startsWith("k8s://")) {
            return KUBERNETES;
        }
        if (master.startsWith("spark://")) {
            return STANDALONE;
        }
        throw new LaunchException("unknown master '" + master + "': use local[N], yarn, k8s://https://HOST:PORT or "
                + "spark://HOST:PORT");
    }
}
