/**
 * Expert parallelism: the distributed implementations of the trainer's interfaces. {@link
 * org.omnispark.parallel.MeshProcessGroup} (all-gather, all-to-all, ring all-reduce over the mesh), {@link
 * org.omnispark.parallel.AllToAllTokenDispatcher} (the only model component that communicates) and {@link
 * org.omnispark.parallel.MeshParallelism} (one rank's groups, placement and dispatchers). Depends on the trainer,
 * never the reverse. See docs/expert-parallel.md.
 */
package org.omnispark.parallel;
