package org.omnispark.parallel;

import java.util.stream.IntStream;
import org.omnispark.parallel.transport.PeerMesh;
import org.omnispark.trainer.moe.TokenDispatcher;
import org.omnispark.trainer.parallel.CommunicationTimes;
import org.omnispark.trainer.parallel.ExpertParallelism;
import org.omnispark.trainer.parallel.ExpertPlacement;
import org.omnispark.trainer.parallel.ProcessGroup;
import org.omnispark.trainer.parallel.SingleProcessGroup;

/**
 * One rank's {@link ExpertParallelism} over a {@link PeerMesh}: the world group, the group its tokens travel in, the
 * group that shares its experts' gradients, and an {@link AllToAllTokenDispatcher} per MoE layer. Every MoE stack of
 * the model must have the same number of experts E; the placement rules are {@link ExpertPlacement}'s.
 */
public final class MeshParallelism implements ExpertParallelism {

    private final PeerMesh mesh;
    private final ExpertPlacement placement;
    private final CommunicationClock clock = new CommunicationClock();
    private final MeshProcessGroup world;
    private final MeshProcessGroup expertGroup;
    private final ProcessGroup replicas;

    /**
     * @param mesh the connections (owned by the caller)
     * @param numExperts E of every MoE layer
     */
    public MeshParallelism(PeerMesh mesh, int numExperts) {
        this.mesh = mesh;
        this.placement = new ExpertPlacement(numExperts, mesh.size(), mesh.rank());
        this.world = new MeshProcessGroup(mesh, IntStream.range(0, mesh.size()).toArray(), "world", clock);
        this.expertGroup = placement.expertParallelSize() == mesh.size() ? world
                : new MeshProcessGroup(mesh, placement.expertParallelRanks(), "expert-parallel", clock);
        this.replicas = placement.replicas() == 1 ? SingleProcessGroup.INSTANCE
                : new MeshProcessGroup(mesh, placement.expertReplicaRanks(), "expert-replicas", clock);
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
        return new AllToAllTokenDispatcher(world, expertGroup, placement(numExperts), capacityFactor, layerName);
    }

    @Override
    public boolean isDistributed() {
        return true;
    }

    @Override
    public void beginStep(long step) {
        world.beginStep(step);
        expertGroup.beginStep(step);
        if (replicas instanceof MeshProcessGroup group) {
            group.beginStep(step);
        }
    }

    @Override
    public CommunicationTimes takeCommunicationTimes() {
        return clock.take();
    }

    /** @return the connections */
    public PeerMesh mesh() {
        return mesh;
    }

    @Override
    public String toString() {
        return "rank " + mesh.rank() + " of " + mesh.size() + ", experts [" + placement.localExpertOffset() + ", "
                + (placement.localExpertOffset() + placement.numLocalExperts()) + ") of " + placement.numExperts();
    }
}
