/**
 * Where OmniSpark reads and writes: every path a user names is a Hadoop URI ({@code hdfs://}, {@code s3a://},
 * {@code file://}, or a plain local path), and all I/O goes through the Hadoop FileSystem of the caller's Hadoop
 * configuration (in a Spark job, the session's, with its {@code spark.hadoop.*} settings).
 *
 * <p>{@link org.omnispark.io.Location} names a file or folder; {@link org.omnispark.io.Storage} reads, writes and
 * lists them. {@link org.omnispark.io.ExternalCommand} runs the external programs OmniSpark uses (espeak-ng, sox,
 * spm_train) within a time limit. Nothing here needs Spark.
 */
package org.omnispark.io;
