package org.omnispark.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.omnispark.trainer.encoder.EncoderOutput;
import org.omnispark.trainer.nn.HostSyncs;

/**
 * What {@link U2Model#forward} returns: the total training loss, its parts and the encoder output (with every MoE
 * block's routing decisions). Scalars belong to the batch's manager.
 *
 * <pre>
 *   total = ctc_weight * ctc + (1 - ctc_weight) * ((1 - reverse_weight) * att + reverse_weight * att_reverse)
 *         + moe_aux + moe_z
 * </pre>
 *
 * @param total the loss to back-propagate
 * @param ctc CTC loss, or null when ctc_weight = 0
 * @param att left-to-right attention loss, or null without a decoder
 * @param attReverse right-to-left attention loss, or null without a reverse branch
 * @param moeAux summed load-balancing losses (already weighted by aux_loss_coeff; the decoder's MoE z-loss is included
 *     here because the decoder reports one sum), a zero scalar for dense models
 * @param moeZ summed encoder z-losses (already weighted), a zero scalar when off
 * @param encoder the encoder output (output, lengths, chunk choice, MoE outputs with routing decisions)
 */
public record Losses(NDArray total, NDArray ctc, NDArray att, NDArray attReverse, NDArray moeAux, NDArray moeZ,
        EncoderOutput encoder) {

    /** Validates. */
    public Losses {
        if (total == null || moeAux == null || moeZ == null || encoder == null) {
            throw new IllegalArgumentException("total, moeAux, moeZ and encoder are required");
        }
    }

    /** The name the MoE auxiliary (load-balancing) loss is logged under in metrics.jsonl (experiment_report.py reads it). */
    public static final String MOE_AUX = "moe_aux";

    /**
     * Copies the scalars to the host, all in one read (one {@code loss} host sync), under the names the metrics use.
     *
     * @return {@code loss, ctc, att, att_reverse, moe_aux, moe_z}, absent parts left out
     */
    public Map<String, Double> toHost() {
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("loss", total);
        if (ctc != null) {
            parts.put("ctc", ctc);
        }
        if (att != null) {
            parts.put("att", att);
        }
        if (attReverse != null) {
            parts.put("att_reverse", attReverse);
        }
        parts.put(MOE_AUX, moeAux);
        parts.put("moe_z", moeZ);
        // each part widened to float64 on its device (exactly), then read together
        NDList wide = new NDList(parts.size());
        try {
            for (NDArray part : parts.values()) {
                wide.add(part.toType(DataType.FLOAT64, false).reshape(1));
            }
            double[] values;
            try (NDArray all = NDArrays.concat(wide, 0)) {
                values = HostSyncs.doubles(all, HostSyncs.Kind.LOSS);
            }
            Map<String, Double> map = new LinkedHashMap<>();
            int k = 0;
            for (String name : parts.keySet()) {
                map.put(name, values[k++]);
            }
            return map;
        } finally {
            wide.close();
        }
    }
}
