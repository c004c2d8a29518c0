package org.omnispark.trainer.parallel;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.infra.CheckpointManager;
import org.omnispark.trainer.infra.CheckpointPart;
import org.omnispark.trainer.infra.CheckpointTensor;
import org.omnispark.trainer.infra.Optimizer;
import org.omnispark.trainer.infra.RestoredCheckpoint;
import org.omnispark.trainer.infra.TrainingState;

/**
 * Checkpoints written by every rank of a run (one process is the trivial case): each rank writes its own part and
 * no rank ever holds another's experts.
 *
 * <pre>
 *   rank 0          begin: clear the step's folder                    ─┐ all-gather "checkpoint begin"
 *   every rank      write part-&lt;r&gt;: rank 0 the replicated tensors,  │
 *                   ranks of replica group 0 their experts by GLOBAL id, each with its Adam moments
 *                                                                      ─┐ all-gather receipts (lengths, CRC)
 *   rank 0          check the parts, write checkpoint.json (the marker), prune
 *                                                                      ─┐ all-gather "checkpoint commit"
 * </pre>
 *
 * A restore reads the replicated tensors and this rank's experts from whichever parts hold them, so a checkpoint of
 * N ranks loads into any M ranks whose placement is valid, into one process, and into {@code eval}.
 */
public final class ExpertCheckpoints {

    private final ExpertParallelism parallelism;
    private final List<ModelParameter> parameters;
    private final Optimizer optimizer;

    /**
     * @param parallelism this rank's groups ({@link ExpertParallelism#NONE} in one process)
     * @param parameters the model's parameters (this rank's experts only)
     * @param optimizer the optimizer over them
     */
    public ExpertCheckpoints(ExpertParallelism parallelism, List<ModelParameter> parameters, Optimizer optimizer) {
        this.parallelism = parallelism;
        this.parameters = parameters;
        this.optimizer = optimizer;
    }

    /**
     * Saves a checkpoint (collective).
     *
     * @param checkpoints the manager (every rank's points at the same folder)
     * @param state the training position
     * @param config the config to store
     * @return the committed folder
     */
    public Path save(CheckpointManager checkpoints, TrainingState state, Object config) {
        ProcessGroup world = parallelism.world();
        String phase = "step " + state.step() + " checkpoint ";
        boolean write = world.rank() != 0 || checkpoints.begin(state.step());
        // every rank learns rank 0's decision: a checkpoint of this step that is already committed is kept as it is
        if (world.allGather(new long[] {write ? 1 : 0}, phase + "begin")[0] == 0) {
            return checkpoints.folder(state.step());
        }
        boolean replicated = world.rank() == 0;
        boolean experts = parallelism.expertReplicas().rank() == 0;
        CheckpointPart part = checkpoints.writePart(state.step(), world.rank(), tensors(replicated, experts));
        FaultInjection.afterCheckpointPart(state.step(), world.rank());
        long[] all = world.allGather(part.toLongs(), phase + "parts written");
        if (world.rank() == 0) {
            List<CheckpointPart> parts = new ArrayList<>();
            for (int r = 0; r < world.size(); r++) {
                parts.add(CheckpointPart.fromLongs(r, all));
            }
            checkpoints.commit(state.step(), parts, state, config, optimizer.toString(), optimizer.stateCounters());
        }
        // no rank goes on (and possibly fails) before the checkpoint is committed
        world.allGather(new long[] {state.step()}, phase + "commit");
        return checkpoints.folder(state.step());
    }

    /**
     * Restores this rank's share (replicated tensors and its experts, with optimizer state) from a checkpoint written
     * by any number of ranks.
     *
     * @param checkpoints the manager
     * @param checkpoint a committed {@code ckpt-N} folder
     * @return the training state and config
     */
    public RestoredCheckpoint restore(CheckpointManager checkpoints, Path checkpoint) {
        return checkpoints.restoreTensors(checkpoint, tensors(true, true), optimizer);
    }

    private List<CheckpointTensor> tensors(boolean replicated, boolean experts) {
        int epSize = parallelism.world().size() / parallelism.expertReplicas().size();
        return CheckpointTensor.of(parameters, optimizer,
                local -> parallelism.placement(local * epSize).localExpertOffset(), epSize, replicated, experts);
    }
}
