package org.omnispark.trainer.infra;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntUnaryOperator;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * One tensor a checkpoint part holds, or one a restore fills.
 *
 * <p>An expert tensor is stacked over the experts a process holds ({@code [E_local, ...]}, experts {@code
 * firstExpert .. firstExpert + E_local - 1} of {@code numExperts}); checkpoints store it one entry per GLOBAL expert
 * id, so any number of processes can read back the experts they host.
 *
 * @param name the parameter name ({@link ModelParameter#name()}) or optimizer state name
 * @param group {@code "model"} or {@code "optimizer"}
 * @param array the live tensor (read at save, overwritten at restore)
 * @param firstExpert the global id of row 0 for an expert tensor, -1 for any other tensor
 * @param numExperts the layer's expert count E for an expert tensor, 0 otherwise
 */
public record CheckpointTensor(String name, String group, NDArray array, int firstExpert, int numExperts) {

    /** The group of model parameters. */
    public static final String MODEL = "model";
    /** The group of optimizer state tensors. */
    public static final String OPTIMIZER = "optimizer";

    /** Validates. */
    public CheckpointTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(array, "array");
        if (!MODEL.equals(group) && !OPTIMIZER.equals(group)) {
            throw new IllegalArgumentException("group must be model or optimizer, got " + group);
        }
        if (firstExpert >= 0 && (numExperts < 1 || array.getShape().dimension() < 1
                || firstExpert + array.getShape().get(0) > numExperts)) {
            throw new IllegalArgumentException("expert tensor '" + name + "' of shape " + array.getShape()
                    + " starting at expert " + firstExpert + " does not fit in " + numExperts + " experts");
        }
    }

    /** @return whether dim 0 indexes experts */
    public boolean isExpertTensor() {
        return firstExpert >= 0;
    }

    /** @return the experts dim 0 holds (1 for a tensor that is not an expert tensor) */
    public int localExperts() {
        return isExpertTensor() ? Math.toIntExact(array.getShape().get(0)) : 1;
    }

    /**
     * The tensors of a model and its optimizer as one process holds them.
     *
     * @param parameters the model's parameters (expert parameters stacked over this process's experts)
     * @param optimizer the optimizer whose state to include, or null for the model only
     * @param firstExpertOf maps the experts a tensor holds here ({@code E_local}) to the global id of its first; the
     *     layer's E is then {@code E_local * expertParallelSize}
     * @param expertParallelSize how many processes share each layer's experts (1 in one process)
     * @param replicated whether to include the tensors every process holds
     * @param experts whether to include the expert tensors
     * @return the tensors, model parameters first, in parameter order
     */
    public static List<CheckpointTensor> of(List<ModelParameter> parameters, Optimizer optimizer,
            IntUnaryOperator firstExpertOf, int expertParallelSize, boolean replicated, boolean experts) {
        List<CheckpointTensor> result = new ArrayList<>();
        Map<String, ModelParameter> byName = new LinkedHashMap<>();
        for (ModelParameter p : parameters) {
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("two parameters are named '" + p.name() + "'; checkpoints "
                        + "key tensors by name, so give every parameter a unique name");
            }
            add(result, p, p.name(), MODEL, p.array(), firstExpertOf, expertParallelSize, replicated, experts);
        }
        Map<String, NDArray> state = optimizer == null ? Map.of() : optimizer.stateTensors();
        for (Map.Entry<String, NDArray> s : state.entrySet()) { // "<parameter name>.<state name>"
            int dot = s.getKey().lastIndexOf('.');
            ModelParameter owner = dot > 0 ? byName.get(s.getKey().substring(0, dot)) : null;
            if (owner == null) {
                throw new IllegalArgumentException("optimizer state '" + s.getKey() + "' belongs to no parameter; "
                        + "optimizer state names must be <parameter name>.<state name>");
            }
            add(result, owner, s.getKey(), OPTIMIZER, s.getValue(), firstExpertOf, expertParallelSize, replicated,
                    experts);
        }
        return result;
    }

    private static void add(List<CheckpointTensor> result, ModelParameter owner, String name, String group,
            NDArray array, IntUnaryOperator firstExpertOf, int expertParallelSize, boolean replicated,
            boolean experts) {
        if (owner.isExpertParameter() && experts) {
            int local = Math.toIntExact(array.getShape().get(0));
            result.add(new CheckpointTensor(name, group, array, firstExpertOf.applyAsInt(local),
                    local * expertParallelSize));
        } else if (!owner.isExpertParameter() && replicated) {
            result.add(new CheckpointTensor(name, group, array, -1, 0));
        }
    }

    /**
     * The tensors of a model and optimizer in one process (every expert here).
     *
     * @param parameters the parameters
     * @param optimizer the optimizer, or null
     * @return every tensor
     */
    public static List<CheckpointTensor> of(List<ModelParameter> parameters, Optimizer optimizer) {
        return of(parameters, optimizer, local -> 0, 1, true, true);
    }
}
