package org.omnispark.trainer.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Collects the parameters an optimizer should update, each shared parameter exactly once. */
public final class ParameterCollector {

    private ParameterCollector() {}

    /**
     * Returns the parameters of all owners, deduplicated by identity, in first-seen order.
     *
     * @param owners layers, gates or stacks, in model order
     * @return each distinct parameter once
     */
    public static List<ModelParameter> unique(List<? extends ParameterOwner> owners) {
        Set<ModelParameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<ModelParameter> result = new ArrayList<>();
        for (ParameterOwner owner : owners) {
            for (ModelParameter parameter : owner.parameters()) {
                if (seen.add(parameter)) {
                    result.add(parameter);
                }
            }
        }
        return Collections.unmodifiableList(result);
    }

    /**
     * Returns the parameters of the given owners, deduplicated by identity.
     *
     * @param owners layers, gates or stacks
     * @return each distinct parameter once
     */
    public static List<ModelParameter> unique(ParameterOwner... owners) {
        return unique(List.of(owners));
    }

    /**
     * Zeroes the gradients of the given parameters (gradients accumulate across backward passes).
     *
     * @param parameters the parameters, typically from {@link #unique}
     */
    public static void zeroGradients(List<ModelParameter> parameters) {
        for (ModelParameter parameter : parameters) {
            parameter.zeroGradient();
        }
    }

    /** The given parameters without the nulls (absent optional parameters such as biases), in order. */
    public static List<ModelParameter> nonNull(ModelParameter... parameters) {
        List<ModelParameter> list = new java.util.ArrayList<>(parameters.length);
        for (ModelParameter p : parameters) {
            if (p != null) {
                list.add(p);
            }
        }
        return java.util.Collections.unmodifiableList(list);
    }
}
