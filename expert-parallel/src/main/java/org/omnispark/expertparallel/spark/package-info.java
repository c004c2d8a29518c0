/**
 * Expert-parallel training on Spark: {@link org.omnispark.expertparallel.spark.ExpertParallelTrainer} runs one barrier stage
 * whose tasks are the ranks ({@code RankTask}), each the ordinary trainer with a mesh process group; {@code train
 * --ranks N} reaches it through {@link org.omnispark.expertparallel.spark.SparkExpertParallelLauncher}.
 */
package org.omnispark.expertparallel.spark;
