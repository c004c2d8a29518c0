package org.omnispark.trainer.moe;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterOwner;

/**
 * Which gate each MoE layer of a stack uses: one shared gate (Omni-router Transformer) or one gate per layer (Switch,
 * U2++ MoE).
 *
 * <p>{@link #parameters()} lists each distinct gate parameter once, so an optimizer sees a shared gate once and its
 * gradient is the sum over all layers that use it.
 */
public final class MoeRouting implements ParameterOwner {

    private final GateWeight sharedGate;
    private final List<GateWeight> perLayerGates;

    private MoeRouting(GateWeight sharedGate, List<GateWeight> perLayerGates) {
        this.sharedGate = sharedGate;
        this.perLayerGates = perLayerGates;
    }

    /**
     * One gate for every layer (Omni-router).
     *
     * @param gate the shared gate
     * @return the routing plan
     */
    public static MoeRouting shared(GateWeight gate) {
        if (gate == null) {
            throw new IllegalArgumentException("shared(gate) needs a gate; create one with GateWeight.create");
        }
        return new MoeRouting(gate, List.of());
    }

    /**
     * One gate per layer (Switch / U2++).
     *
     * @param gates the gates, in layer order
     * @return the routing plan
     */
    public static MoeRouting perLayer(List<GateWeight> gates) {
        if (gates == null || gates.isEmpty()) {
            throw new IllegalArgumentException("perLayer(gates) needs at least one gate");
        }
        return new MoeRouting(null, List.copyOf(gates));
    }

    /**
     * Creates one freshly initialized gate per layer, named {@code layer<i>.router.gate}.
     *
     * @param manager the model's long-lived manager
     * @param numLayers number of MoE layers
     * @param modelDim d
     * @param numExperts E
     * @param dataType FLOAT32 or FLOAT64
     * @param seed base seed; layer i uses seed + i
     * @return the routing plan
     */
    public static MoeRouting perLayer(
            NDManager manager, int numLayers, int modelDim, int numExperts, DataType dataType, long seed) {
        List<GateWeight> gates = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            gates.add(GateWeight.create(
                    manager, "layer" + i + ".router.gate", modelDim, numExperts, dataType, seed + i));
        }
        return perLayer(gates);
    }

    /** @return true when every layer uses the same gate */
    public boolean isShared() {
        return sharedGate != null;
    }

    /**
     * Returns the gate of one layer.
     *
     * @param layer the layer index (any index for a shared gate)
     * @return the gate
     */
    public GateWeight gateFor(int layer) {
        if (sharedGate != null) {
            return sharedGate;
        }
        if (layer < 0 || layer >= perLayerGates.size()) {
            throw new IndexOutOfBoundsException(
                    "Layer " + layer + " has no gate; this plan has " + perLayerGates.size() + " per-layer gates");
        }
        return perLayerGates.get(layer);
    }

    @Override
    public List<ModelParameter> parameters() {
        if (sharedGate != null) {
            return sharedGate.parameters();
        }
        List<ModelParameter> list = new ArrayList<>();
        for (GateWeight gate : perLayerGates) {
            list.addAll(gate.parameters());
        }
        return List.copyOf(list);
    }
}
