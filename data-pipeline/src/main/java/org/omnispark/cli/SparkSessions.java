package org.omnispark.cli;

import org.apache.spark.sql.SparkSession;
import org.omnispark.io.Storage;

/**
 * The one place OmniSpark's commands get a SparkSession. Under spark-submit the master and settings come from
 * spark-submit; run directly (the launcher's default) it is an embedded {@code local[*]} Spark bound to loopback.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /**
     * Gets or creates the session.
     *
     * @param appName shown in the Spark UI and logs
     * @param master a master URL, or null to keep spark-submit's (else env OMNISPARK_MASTER, else local[*])
     */
    public static SparkSession getOrCreate(String appName, String master) {
        if (master == null) {
            master = System.getenv("OMNISPARK_MASTER");
        }
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        String submitted = System.getProperty("spark.master");
        if (master != null) {
            b.master(master);
        } else if (submitted == null) {
            b.master("local[*]");
        }
        String effective = master != null ? master : submitted != null ? submitted : "local[*]";
        if (effective.startsWith("local")) {
            b.config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "8")
                    .config("spark.ui.showConsoleProgress", "false");
        }
        return b.config("spark.sql.parquet.compression.codec", "zstd").getOrCreate();
    }

    /**
     * The storage a command outside a Spark job uses: the active session's Hadoop configuration when this JVM has
     * one (a notebook), else the one Spark would build ({@link Storage#fromEnvironment()}: the site files on the
     * classpath and the {@code spark.hadoop.*} settings spark-submit passed).
     *
     * @return the storage
     */
    public static Storage storage() {
        scala.Option<SparkSession> active = SparkSession.getActiveSession();
        if (active.isEmpty()) {
            active = SparkSession.getDefaultSession();
        }
        return active.isDefined() ? Storage.of(active.get().sparkContext().hadoopConfiguration())
                : Storage.fromEnvironment();
    }
}
