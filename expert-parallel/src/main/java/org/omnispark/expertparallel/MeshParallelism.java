package org.omnispark.expertparallel;

import java.util.stream.IntStream;
import org.omnispark.expertparallel.transport.PeerMesh;
import org.omnispark.trainer.moe.TokenDispatcher;
import org.omnispark.trainer.parallel.CommunicationTimes;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.parallel.ExpertPlacement;
import org.omnispark.trainer.parallel.ProcessGroup;
import org.omnispark.trainer.parallel.SingleProcessGroup;

/**
 * One rank's {@link ExpertParallelism} over a {@link PeerMesh}: its process groups by role and an {@link
 * AllToAllTokenDispatcher} per MoE layer. The N ranks form a grid of expert-parallel groups of P consecutive ranks
 * (tokens and routing counts travel inside one) and data-parallel replica groups of N/P ranks, the ranks at the same
 * position of every expert-parallel group (they hold the same experts and sum those experts' gradients). The world
 * (replicated parameters, batch agreement, norms, checksums) is the whole mesh when P = N or P = 1, and otherwise a
 * {@link GridProcessGroup} over the two, so that a rank needs connections only to {@link #peers} (P - 1 + N/P - 1 of
 * them). Every MoE stack of the model must have the same number of experts E; the placement rules are {@link
 * ExpertPlacement}'s. Tensors enter the mesh through a {@link HostStaging}: device tensors are copied to host memory
 * and back, CPU tensors pass as they are (or through the same copies, {@link HostStaging#copying()}).
 */
public final class MeshParallelism implements ExpertParallelism {

    /**
     * The largest replica group whose members all connect to each other; a larger one all-gathers by doubling and
     * all-reduces by the ring, so a rank connects to 2 log2(N/P) of its members, not N/P - 1.
     */
    public static final int DIRECT_REPLICA_GROUP = 8;

    private final PeerMesh mesh;
    private final ExpertPlacement placement;
    private final CommunicationClock clock = new CommunicationClock();
    private final ProcessGroup world; // staged
    private final MeshProcessGroup worldGroup; // null when the world is a grid
    private final MeshProcessGroup expertGroup;
    private final MeshProcessGroup replicaGroup; // null when each expert exists once
    private final ProcessGroup replicas; // staged
    private final HostStaging staging;

    /**
     * Expert-parallel groups of min(N, E) ranks.
     *
     * @param mesh the connections (owned by the caller)
     * @param numExperts E of every MoE layer
     */
    public MeshParallelism(PeerMesh mesh, int numExperts) {
        this(mesh, numExperts, 0);
    }

    /**
     * @param mesh the connections (owned by the caller): at least to every rank of {@link #peers}
     * @param numExperts E of every MoE layer
     * @param expertParallelSize P ({@code expert_parallel.expert_parallel_size}), 0 for min(N, E)
     */
    public MeshParallelism(PeerMesh mesh, int numExperts, int expertParallelSize) {
        this(mesh, numExperts, expertParallelSize, HostStaging.forDevice(ai.djl.Device.cpu()));
    }

    /**
     * @param mesh the connections (owned by the caller): at least to every rank of {@link #peers}
     * @param numExperts E of every MoE layer
     * @param expertParallelSize P ({@code expert_parallel.expert_parallel_size}), 0 for min(N, E)
     * @param staging how tensors enter the mesh ({@link HostStaging#forDevice} for the rank's device; owned by the
     *     caller): every tensor the world, the replica group and the dispatchers exchange goes through it
     */
    public MeshParallelism(PeerMesh mesh, int numExperts, int expertParallelSize, HostStaging staging) {
        this.mesh = mesh;
        this.staging = staging.withClock(clock);
        this.placement = new ExpertPlacement(numExperts, mesh.size(), mesh.rank(),
                ExpertPlacement.resolve(numExperts, mesh.size(), expertParallelSize));
        int p = placement.expertParallelSize();
        boolean sparse = placement.replicas() > DIRECT_REPLICA_GROUP;
        MeshProcessGroup all = p == mesh.size() || p == 1
                ? new MeshProcessGroup(mesh, IntStream.range(0, mesh.size()).toArray(), "world", clock,
                        p == 1 && sparse) : null;
        this.expertGroup = p == mesh.size() ? all
                : new MeshProcessGroup(mesh, placement.expertParallelRanks(), "expert-parallel", clock);
        this.replicaGroup = placement.replicas() == 1 ? null : p == 1 ? all
                : new MeshProcessGroup(mesh, placement.expertReplicaRanks(), "replica", clock, sparse);
        this.replicas = replicaGroup == null ? SingleProcessGroup.INSTANCE
                : new StagedProcessGroup(replicaGroup, staging);
        this.worldGroup = all;
        this.world = new StagedProcessGroup(all != null ? all : new GridProcessGroup(expertGroup, replicaGroup),
                staging);
    }

    /**
     * The ranks one rank exchanges with: the rest of its expert-parallel group, and the rest of its replica group
     * (up to {@value #DIRECT_REPLICA_GROUP} members) or its members at distances +-2^k (a larger one: {@link
     * LatencyCollectives#peers}). The relation is symmetric, as {@link PeerMesh#open(int, int, String, byte[], java.util.function.UnaryOperator,
     * org.omnispark.expertparallel.transport.MeshOptions, int[])} needs.
     *
     * @param numExperts E
     * @param worldSize N
     * @param rank the rank
     * @param expertParallelSize P, 0 for min(N, E)
     * @return its peers, ascending
     */
    public static int[] peers(int numExperts, int worldSize, int rank, int expertParallelSize) {
        ExpertPlacement p = new ExpertPlacement(numExperts, worldSize, rank,
                ExpertPlacement.resolve(numExperts, worldSize, expertParallelSize));
        int[] replicas = p.expertReplicaRanks();
        int[] replicaPeers = replicas.length <= DIRECT_REPLICA_GROUP ? replicas
                : LatencyCollectives.peers(replicas, rank / p.expertParallelSize());
        return IntStream.concat(IntStream.of(p.expertParallelRanks()), IntStream.of(replicaPeers))
                .filter(q -> q != rank).distinct().sorted().toArray();
    }

    @Override
    public ProcessGroup world() {
        return world;
    }

    @Override
    public ProcessGroup expertReplicas() {
        return replicas;
    }

    @Override
    public ExpertPlacement placement(int numExperts) {
        if (numExperts != placement.numExperts()) {
            throw new IllegalArgumentException("this expert-parallel job places " + placement.numExperts()
                    + " experts per layer, but a layer has " + numExperts + "; give every MoE stack (encoder and "
                    + "decoder) the same num_experts");
        }
        return placement;
    }

    @Override
    public TokenDispatcher dispatcher(String layerName, int numExperts, double capacityFactor) {
        return new AllToAllTokenDispatcher(expertGroup, replicas, placement(numExperts), capacityFactor, layerName,
                staging);
    }

    @Override
    public boolean isDistributed() {
        return true;
    }

    @Override
    public void beginStep(long step) {
        expertGroup.beginStep(step);
        if (replicaGroup != null) {
            replicaGroup.beginStep(step);
        }
        if (worldGroup != null) {
            worldGroup.beginStep(step);
        }
    }

    @Override
    public CommunicationTimes takeCommunicationTimes() {
        return clock.take();
    }

    /** @return how tensors enter the mesh */
    public HostStaging staging() {
        return staging;
    }

    /** @return the connections */
    public PeerMesh mesh() {
        return mesh;
    }

    @Override
    public String toString() {
        return "rank " + mesh.rank() + " of " + mesh.size() + " (expert-parallel groups of "
                + placement.expertParallelSize() + ", replica groups of " + placement.replicas() + "), experts ["
                + placement.localExpertOffset() + ", " + (placement.localExpertOffset() + placement.numLocalExperts())
                + ") of " + placement.numExperts();
    }
}
