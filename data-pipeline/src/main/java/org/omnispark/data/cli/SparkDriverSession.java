package org.omnispark.data.cli;

import org.apache.spark.sql.SparkSession;
import org.omnispark.cli.DriverSession;

/** The Spark session a YARN cluster-mode driver holds while its command runs ({@link DriverSession}). */
public final class SparkDriverSession implements DriverSession {
    @Override
    public Runnable start(String appName) {
        SparkSession session = SparkSessions.getOrCreate(appName, null);
        return session::stop;
    }
}
