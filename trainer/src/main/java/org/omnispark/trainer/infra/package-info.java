/**
 * Training infrastructure independent of the model's layers.
 *
 * <ul>
 *   <li>Optimization: {@link org.omnispark.trainer.infra.Optimizer} ({@link org.omnispark.trainer.infra.Adam}:
 *       Adam / AdamW with torch.optim's update rule, state as NDArrays in the model's manager), schedules ({@link
 *       org.omnispark.trainer.infra.WarmupLr} as WeNet, {@link org.omnispark.trainer.infra.WarmupDecayLr} cosine or
 *       linear), {@link org.omnispark.trainer.infra.GradientClipping} (global norm) and {@link
 *       org.omnispark.trainer.infra.GradientAccumulator}; {@link org.omnispark.trainer.infra.Optimizers} builds them
 *       from a {@link org.omnispark.trainer.config.TrainConfig}.
 *   <li>Checkpoints: {@link org.omnispark.trainer.infra.CheckpointManager} saves model parameters (by name),
 *       optimizer state, {@link org.omnispark.trainer.infra.TrainingState} (step, epoch, batches consumed, RNG seed
 *       and counter) and the config on any Hadoop file system, in parts written by each rank ({@code part-<r>.bin}
 *       + {@code part-<r>.json}, experts keyed by global id, CRC32C per tensor) and a commit marker ({@code
 *       checkpoint.json}) written last; keeps the last K. Format: docs/checkpoint-format.md.
 *   <li>Metrics: {@link org.omnispark.trainer.infra.MetricsWriter} with a JSON-lines and a TensorBoard event-file
 *       implementation (TFRecord framing and Event protobuf hand-encoded), and a {@link
 *       org.omnispark.trainer.infra.ConsoleProgress} line.
 * </ul>
 *
 * <p>Training-loop order per update: forward + backward on each micro-batch (loss scaled by the accumulator) -&gt;
 * {@code GradientClipping.clipGlobalNorm} -&gt; skip the update if the norm is not finite -&gt; {@code
 * optimizer.step(schedule.learningRate(step + 1))} -&gt; {@code ParameterCollector.zeroGradients} -&gt; metrics -&gt;
 * checkpoint at the interval.
 */
package org.omnispark.trainer.infra;
