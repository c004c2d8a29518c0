/**
 * What the trainer needs to take part in expert parallelism, with the single-process implementations: {@link
 * org.omnispark.trainer.parallel.ProcessGroup} (collectives; {@link org.omnispark.trainer.parallel.SingleProcessGroup}
 * is the trivial one), {@link org.omnispark.trainer.parallel.ExpertParallelism} (one rank's groups, placement and
 * dispatchers; {@code NONE} for one process), {@link org.omnispark.trainer.parallel.ExpertPlacement} (which experts a
 * rank holds), {@link org.omnispark.trainer.nn.StagedBackward} (the backward pass across exchanges), {@link
 * org.omnispark.trainer.parallel.GradientSync} (all-reduce, global norm, replica checksums) and {@link
 * org.omnispark.trainer.parallel.ExpertCheckpoints} (every rank writes its part of a checkpoint, experts keyed by
 * global id). The distributed implementations live in the expert-parallel module.
 */
package org.omnispark.trainer.parallel;
