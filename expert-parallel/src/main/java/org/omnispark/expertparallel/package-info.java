/**
 * Expert parallelism: the distributed implementations of the trainer's interfaces. {@link
 * org.omnispark.expertparallel.MeshProcessGroup} (all-gather, all-to-all, ring all-reduce over the mesh; float32 or
 * bfloat16 on the wire: {@link org.omnispark.expertparallel.Bfloat16}), {@link
 * org.omnispark.expertparallel.AllToAllTokenDispatcher} (the only model component that communicates) and {@link
 * org.omnispark.expertparallel.MeshParallelism} (one rank's groups, placement and dispatchers). Tensors enter the mesh
 * through {@link org.omnispark.expertparallel.HostStaging} (a GPU rank's copied through reused host buffers; {@link
 * org.omnispark.expertparallel.StagedProcessGroup} wraps the groups, {@link
 * org.omnispark.expertparallel.StagingCopies} makes the copies). Depends on the trainer, never the reverse. See
 * docs/expert-parallel.md.
 */
package org.omnispark.expertparallel;
