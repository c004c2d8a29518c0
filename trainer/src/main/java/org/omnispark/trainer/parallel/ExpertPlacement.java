package org.omnispark.trainer.parallel;

/**
 * Which experts of an MoE layer a rank holds, and with whom it exchanges tokens and reduces expert gradients.
 *
 * <p>The N ranks form a grid of expert-parallel (EP) groups of P consecutive ranks (Megatron-Core's layout): each EP
 * group holds every expert once, split contiguously, so rank r holds experts {@code [(r mod P) E/P, (r mod P + 1)
 * E/P)}; tokens travel only inside an EP group. The N/P ranks at the same position of every EP group hold the same
 * experts and form a data-parallel replica group (Megatron's expert-data-parallel group): they sum those experts'
 * gradients among themselves. P is {@code expert_parallel.expert_parallel_size}; by default (0) it is min(N, E):
 *
 * <ul>
 *   <li>N &lt;= E (E a multiple of N): one EP group, the world; each expert exists once.
 *   <li>N &gt; E (N a multiple of E): N/E EP groups of E ranks, one expert per rank.
 * </ul>
 *
 * A configured P needs P &lt;= E, E a multiple of P and N a multiple of P (e.g. N = 16, E = 8, P = 4: four EP groups
 * of four ranks with two experts each, four replica groups of four ranks). All other parameters (the routers' gates,
 * the shared Omni-router gate included, attention, convolution, norms, embeddings) are replicated on every rank and
 * summed over the world.
 *
 * @param numExperts E
 * @param worldSize N
 * @param rank this rank
 * @param expertParallelSize P: ranks in one expert-parallel group
 */
public record ExpertPlacement(int numExperts, int worldSize, int rank, int expertParallelSize) {

    /** Validates that the placement divides. */
    public ExpertPlacement {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("need 0 <= rank < worldSize, got rank " + rank + " of " + worldSize);
        }
        if (numExperts < 1) {
            throw new IllegalArgumentException("numExperts must be >= 1, got " + numExperts);
        }
        check(numExperts, worldSize, expertParallelSize);
    }

    /**
     * The default placement: expert-parallel groups of min(N, E) ranks.
     *
     * @param numExperts E
     * @param worldSize N
     * @param rank this rank
     */
    public ExpertPlacement(int numExperts, int worldSize, int rank) {
        this(numExperts, worldSize, rank, resolve(numExperts, worldSize, 0));
    }

    /**
     * The expert-parallel group size a configuration asks for, checked.
     *
     * @param numExperts E
     * @param worldSize N
     * @param configured {@code expert_parallel.expert_parallel_size}: 0 for min(N, E)
     * @return P
     * @throws IllegalArgumentException naming the sizes that would work
     */
    public static int resolve(int numExperts, int worldSize, int configured) {
        if (configured == 0) {
            check(numExperts, worldSize);
            return Math.min(worldSize, numExperts);
        }
        check(numExperts, worldSize, configured);
        return configured;
    }

    /**
     * Checks that E experts can be placed on N ranks in expert-parallel groups of P ranks.
     *
     * @param numExperts E
     * @param worldSize N
     * @param expertParallelSize P
     * @throws IllegalArgumentException naming the sizes that would work
     */
    public static void check(int numExperts, int worldSize, int expertParallelSize) {
        int p = expertParallelSize;
        if (p < 1 || p > numExperts || numExperts % p != 0 || worldSize % p != 0) {
            StringBuilder fits = new StringBuilder();
            for (int d = 1; d <= Math.min(numExperts, worldSize); d++) {
                if (numExperts % d == 0 && worldSize % d == 0) {
                    fits.append(fits.length() == 0 ? "" : ", ").append(d);
                }
            }
            throw new IllegalArgumentException("expert_parallel.expert_parallel_size " + p + " does not fit " + worldSize
                    + " ranks and " + numExperts + " experts: it must divide both the number of experts (each group "
                    + "holds every expert once) and the number of ranks (whole groups); use one of " + fits
                    + " (or 0 for min(ranks, experts))");
        }
    }

    /**
     * Checks that E experts can be placed on N ranks with the default group size min(N, E), before anything starts.
     *
     * @param numExperts E
     * @param worldSize N
     * @throws IllegalArgumentException naming the sizes that would work
     */
    public static void check(int numExperts, int worldSize) {
        if (worldSize <= numExperts && numExperts % worldSize != 0) {
            throw new IllegalArgumentException(numExperts + " experts cannot be split evenly over " + worldSize
                    + " ranks: with ranks <= experts, the number of experts must be a multiple of the number of ranks"
                    + " (use " + divisors(numExperts) + " ranks, change num_experts, or set "
                    + "expert_parallel.expert_parallel_size to a divisor of both)");
        }
        if (worldSize > numExperts && worldSize % numExperts != 0) {
            throw new IllegalArgumentException(worldSize + " ranks cannot hold " + numExperts + " experts evenly:"
                    + " with more ranks than experts, the number of ranks must be a multiple of the number of experts"
                    + " (use " + numExperts + ", " + 2 * numExperts + ", " + 3 * numExperts + ", ... ranks, or set "
                    + "expert_parallel.expert_parallel_size to a divisor of both)");
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

    /** @return how many ranks hold each expert: N / P, the size of a data-parallel replica group */
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
