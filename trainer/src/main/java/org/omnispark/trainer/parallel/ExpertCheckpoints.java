package org.omnispark.trainer.parallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.train.CheckpointManager;
import org.omnispark.trainer.train.Optimizer;
import org.omnispark.trainer.train.RestoredCheckpoint;
import org.omnispark.trainer.train.TrainingState;

/**
 * Checkpoints of an expert-parallel run in the single-process format, so that {@code eval}, a single-process resume
 * and a resume on another number of ranks read them unchanged: at a save, every expert tensor (weights and Adam
 * moments, {@code [E_local, ...]} per rank) is gathered to rank 0 in global expert order and rank 0 writes the
 * checkpoint; at a restore, every rank reads the full tensors and keeps its slice.
 *
 * <p>This costs rank 0 the memory of every expert at save time: right for the sizes this project trains on CPUs,
 * not for a 1B-parameter MoE (per-rank expert files are the plan for that).
 */
public final class ExpertCheckpoints {

    private static final NDIndex ALL = new NDIndex("...");

    private final ExpertParallelism parallelism;
    private final List<ModelParameter> parameters;
    private final Optimizer optimizer;
    private final Set<String> expertNames = new HashSet<>();

    /**
     * @param parallelism this rank's groups
     * @param parameters the model's parameters (this rank's experts only)
     * @param optimizer the optimizer over them
     */
    public ExpertCheckpoints(ExpertParallelism parallelism, List<ModelParameter> parameters, Optimizer optimizer) {
        this.parallelism = parallelism;
        this.parameters = parameters;
        this.optimizer = optimizer;
        for (ModelParameter p : parameters) {
            if (p.isExpertParameter()) {
                expertNames.add(p.name());
            }
        }
    }

    /**
     * Saves a checkpoint (collective): the experts travel to rank 0, which writes it.
     *
     * @param checkpoints the manager (used on rank 0)
     * @param scope temporaries
     * @param state the training position
     * @param config the config to store
     * @return the committed folder on rank 0, null on the others
     */
    public Path save(CheckpointManager checkpoints, NDManager scope, TrainingState state, Object config) {
        String phase = "step " + state.step() + " checkpoint gather";
        Map<String, NDArray> model = new LinkedHashMap<>();
        for (ModelParameter p : parameters) {
            model.put(p.name(), full(p.name(), p.array(), scope, phase));
        }
        Map<String, NDArray> state0 = new LinkedHashMap<>();
        optimizer.stateTensors().forEach((name, tensor) -> state0.put(name, full(name, tensor, scope, phase)));
        Path saved = null;
        if (parallelism.world().rank() == 0) {
            saved = checkpoints.save(model, state0, optimizer.stateCounters(), optimizer.toString(), state, config);
        }
        // No rank goes on (and possibly fails) before the checkpoint it would resume from is committed.
        parallelism.world().allGather(new long[] {state.step()}, "step " + state.step() + " checkpoint commit");
        return saved;
    }

    /**
     * Restores a checkpoint written in the single-process format (by any number of ranks) into this rank's share.
     *
     * @param checkpoint a {@code ckpt-N} folder
     * @param scope temporaries (full-size expert buffers)
     * @return the training state and config
     */
    public RestoredCheckpoint restore(Path checkpoint, NDManager scope) {
        Map<String, NDArray> model = new LinkedHashMap<>();
        Map<String, NDArray[]> slices = new LinkedHashMap<>();
        for (ModelParameter p : parameters) {
            model.put(p.name(), target(p.name(), p.array(), scope, slices));
        }
        Map<String, NDArray> state = new LinkedHashMap<>();
        optimizer.stateTensors().forEach((name, tensor) -> state.put(name, target(name, tensor, scope, slices)));
        RestoredCheckpoint restored = CheckpointManager.restore(checkpoint, model, state, optimizer);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (NDArray[] pair : slices.values()) { // pair: {live slice, full buffer}
                int numLocal = Math.toIntExact(pair[0].getShape().get(0));
                int offset = parallelism.placement(numLocal * expertParallelSize()).localExpertOffset();
                pair[0].set(ALL, pair[1].get(offset + ":" + (offset + numLocal)));
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return restored;
    }

    private NDArray target(String name, NDArray live, NDManager scope, Map<String, NDArray[]> slices) {
        if (!isExpert(name) || expertParallelSize() == 1) {
            return live;
        }
        Shape shape = live.getShape();
        long[] dims = shape.getShape().clone(); // getShape() is the Shape's own array
        dims[0] *= expertParallelSize();
        NDArray full = scope.create(new Shape(dims), live.getDataType());
        slices.put(name, new NDArray[] {live, full});
        return full;
    }

    private NDArray full(String name, NDArray local, NDManager scope, String phase) {
        if (!isExpert(name) || expertParallelSize() == 1) {
            return local;
        }
        ProcessGroup world = parallelism.world();
        int size = world.size();
        int epSize = expertParallelSize();
        Shape shape = local.getShape();
        long numLocal = shape.get(0);
        NDArray rows = local.stopGradient().reshape(numLocal, -1); // [E_local, rest]
        rows.attach(scope);
        long[] in = new long[size];
        long[] out = new long[size];
        if (world.rank() < epSize) { // the first expert-parallel group holds every expert once
            in[0] = numLocal;
        }
        if (world.rank() == 0) {
            Arrays.fill(out, 0, epSize, numLocal);
        }
        NDArray gathered = world.allToAll(rows, in, out, phase + " " + name);
        if (world.rank() != 0) {
            return null;
        }
        long[] dims = shape.getShape().clone(); // getShape() is the Shape's own array
        dims[0] = numLocal * epSize;
        return gathered.reshape(new Shape(dims));
    }

    private boolean isExpert(String tensorName) {
        if (expertNames.contains(tensorName)) {
            return true;
        }
        int dot = tensorName.lastIndexOf('.');
        return dot > 0 && expertNames.contains(tensorName.substring(0, dot));
    }

    private int expertParallelSize() {
        return parallelism.world().size() / parallelism.expertReplicas().size();
    }
}
