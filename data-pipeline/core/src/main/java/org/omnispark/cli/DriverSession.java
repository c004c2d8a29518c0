package org.omnispark.cli;

/**
 * Starts the session a YARN cluster-mode driver must hold while a command runs (Spark's ApplicationMaster fails a
 * driver that never starts a SparkContext). Found with {@link java.util.ServiceLoader}: the data-pipeline module
 * provides the Spark one, so this module stays free of Spark.
 */
public interface DriverSession {
    /**
     * @param appName the application's name
     * @return what stops the session
     */
    Runnable start(String appName);
}
