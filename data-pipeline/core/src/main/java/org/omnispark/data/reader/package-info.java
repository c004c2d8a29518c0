/**
 * Reading prepared datasets without Spark: {@link org.omnispark.data.reader.DatasetManifest},
 * {@link org.omnispark.data.reader.ShardReader}, an even split of shards over ranks
 * ({@link org.omnispark.data.reader.ShardAssignment}) and duration-bucketed, deterministically shuffled batches
 * ({@link org.omnispark.data.reader.BucketedBatches}).
 */
package org.omnispark.data.reader;
