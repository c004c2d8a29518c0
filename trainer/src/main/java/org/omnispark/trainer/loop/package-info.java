/**
 * The single-process training loop: {@link org.omnispark.trainer.loop.Trainer} (forward, backward, accumulation,
 * clipping, Adam with the schedule's rate, metrics, validation, atomic checkpoints, resume) and {@link
 * org.omnispark.trainer.loop.Validator} (held-out loss and CTC greedy CER / WER).
 *
 * <p>Determinism: parameters are initialized from the train config's seed; batches come from {@code BucketedBatches}
 * seeded by (seed, epoch); SpecAugment, the dynamic chunk and libtorch's generator (dropout masks, router jitter) are
 * seeded per micro-batch from (seed, micro-batch counter), which a checkpoint saves ({@code
 * TrainingState.rngCounter}), so a resumed run continues exactly as an uninterrupted one.
 */
package org.omnispark.trainer.loop;
