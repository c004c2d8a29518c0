package org.omnispark.trainer.parallel;

/**
 * Which experts of an MoE layer a rank holds, and with whom it exchanges tokens and reduces expert gradients.
 *
 * <p>Experts are split contiguously (Megatron-Core's rule): with N ranks and E experts,
 *
 * <ul>
 *   <li>N &lt;= E (E a multiple of N): rank r holds experts {@code [r * E/N, (r + 1) * E/N)}; tokens travel among
 *       all N ranks (the expert-parallel group is the world); each expert exists once.
 *   <li>N &gt; E (N a multiple of E): the world splits into N/E expert-parallel groups of E consecutive ranks, each
 *       holding every expert once (rank r holds expert {@code r mod E}); tokens travel only inside a group. The
 *       N/E ranks holding the same expert form its expert-data-parallel group and sum its gradient among
 *       themselves (Megatron's expert data parallelism, Tutel's replicas).
 * </ul>
 *
 * All other parameters (the routers' gates, the shared Omni-router gate included, attention, convolution, norms,
 * embeddings) are replicated on every rank and summed over the world.
 *
 * @param numExperts E
 * @param worldSize N
 * @param rank this rank
 */
public record ExpertPlacement(int numExperts, int worldSize, int rank) {

    /** Validates that the placement divides. */
    public ExpertPlacement {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("need 0 <= rank < worldSize, got rank " + rank + " of " + worldSize);
        }
        if (numExperts < 1) {
            throw new IllegalArgumentException("numExperts must be >= 1, got " + numExperts);
        }
        check(numExperts, worldSize);
    }

    /**
     * Checks that E experts can be placed on N ranks, before anything starts.
     *
     * @param numExperts E
     * @param worldSize N
     * @throws IllegalArgumentException naming the sizes that would work
     */
    public static void check(int numExperts, int worldSize) {
        if (worldSize <= numExperts && numExperts % worldSize != 0) {
            throw new IllegalArgumentException(numExperts + " experts cannot be split evenly over " + worldSize
                    + " ranks: with ranks <= experts, the number of experts must be a multiple of the number of ranks"
                    + " (use " + divisors(numExperts) + " ranks, or change num_experts)");
        }
        if (worldSize > numExperts && worldSize % numExperts != 0) {
            throw new IllegalArgumentException(worldSize + " ranks cannot hold " + numExperts + " experts evenly:"
                    + " with more ranks than experts, the number of ranks must be a multiple of the number of experts"
                    + " (use " + numExperts + ", " + 2 * numExperts + ", " + 3 * numExperts + ", ... ranks)");
        }
    }

    private static String divisors(int n) {
        StringBuilder sb = new StringBuilder();
        for (int d = 1; d <= n; d++) {
            if (n % d == 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(d);
            }
        }
        return sb.toString();
    }

    /** @return ranks in one expert-parallel group (N for N &lt;= E, else E) */
    public int expertParallelSize() {
        return Math.min(worldSize, numExperts);
    }

    /** @return how many ranks hold each expert (1 for N &lt;= E, else N / E) */
    public int replicas() {
        return worldSize / expertParallelSize();
    }

    /** @return experts held by each rank */
    public int numLocalExperts() {
        return numExperts / expertParallelSize();
    }

    /** @return this rank's position in its expert-parallel group */
    public int groupRank() {
        return rank % expertParallelSize();
    }

    /** @return the global id of the first expert held here */
    public int localExpertOffset() {
        return groupRank() * numLocalExperts();
    }

    /** @return the world ranks of this rank's expert-parallel group, in group order */
    public int[] expertParallelRanks() {
        int size = expertParallelSize();
        int first = rank - groupRank();
        int[] ranks = new int[size];
        for (int i = 0; i < size; i++) {
            ranks[i] = first + i;
        }
        return ranks;
    }

    /** @return the world ranks holding the same experts as this rank (this rank included), ascending */
    public int[] expertReplicaRanks() {
        int[] ranks = new int[replicas()];
        for (int i = 0; i < ranks.length; i++) {
            ranks[i] = groupRank() + i * expertParallelSize();
        }
        return ranks;
    }

    /**
     * @param expert a global expert id
     * @return the position, in the expert-parallel group, of the rank holding it
     */
    public int ownerInGroup(int expert) {
        return expert / numLocalExperts();
    }
}
