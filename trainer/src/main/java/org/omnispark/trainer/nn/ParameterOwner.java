package org.omnispark.trainer.nn;

import java.util.List;

/**
 * Something that holds trainable parameters: a layer, a gate, a stack of layers.
 *
 * <p>The list may contain the same parameter more than once when parameters are shared (for instance the Omni-router
 * gate in every layer); use {@link ParameterCollector#unique} to get the list an optimizer should see.
 */
public interface ParameterOwner {

    /**
     * Returns the parameters of this object and of the objects it contains.
     *
     * @return the parameters, in a stable order
     */
    List<ModelParameter> parameters();
}
