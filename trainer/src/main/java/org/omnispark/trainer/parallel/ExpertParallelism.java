package org.omnispark.trainer.parallel;

import org.omnispark.trainer.moe.LocalTokenDispatcher;
import org.omnispark.trainer.moe.TokenDispatcher;

/**
 * How one rank takes part in training: its process group, which experts it holds and the dispatcher that moves
 * tokens to them. The model ({@code U2Model.Builder.optParallelism}) and the {@code Trainer} take one; {@link #NONE}
 * is the single process (every expert local, {@link LocalTokenDispatcher}, no communication). The expert-parallel
 * module implements it over a Spark barrier stage.
 */
public interface ExpertParallelism {

    /** The single process: one rank, every expert local. */
    ExpertParallelism NONE = new ExpertParallelism() {
        @Override
        public ProcessGroup world() {
            return SingleProcessGroup.INSTANCE;
        }

        @Override
        public ProcessGroup expertReplicas() {
            return SingleProcessGroup.INSTANCE;
        }

        @Override
        public ExpertPlacement placement(int numExperts) {
            return new ExpertPlacement(numExperts, 1, 0);
        }

        @Override
        public TokenDispatcher dispatcher(String layerName, int numExperts, double capacityFactor) {
            return new LocalTokenDispatcher(capacityFactor);
        }

        @Override
        public boolean isDistributed() {
            return false;
        }

        @Override
        public String toString() {
            return "single process";
        }
    };

    /** @return every rank of the job (replicated parameters are summed over it) */
    ProcessGroup world();

    /** @return the ranks holding the same experts as this one (expert gradients are summed over it) */
    ProcessGroup expertReplicas();

    /**
     * @param numExperts E of a layer
     * @return which of its experts this rank holds
     */
    ExpertPlacement placement(int numExperts);

    /**
     * Makes the dispatcher of one MoE layer.
     *
     * @param layerName the layer's parameter prefix (for error messages and metrics)
     * @param numExperts E
     * @param capacityFactor capacity factor, {@code <= 0} for dropless
     * @return the dispatcher
     */
    TokenDispatcher dispatcher(String layerName, int numExperts, double capacityFactor);

    /** @return true when tokens cross ranks: training then needs a {@link org.omnispark.trainer.nn.StagedBackward} */
    boolean isDistributed();

    /**
     * Says which update the next collectives belong to, so that their errors can name it.
     *
     * @param step the update being computed (from 1)
     */
    default void beginStep(long step) {
        // one process: nothing communicates
    }

    /** @return communication time and bytes since the previous call (which it resets); zero in one process */
    default CommunicationTimes takeCommunicationTimes() {
        return CommunicationTimes.ZERO;
    }
}
