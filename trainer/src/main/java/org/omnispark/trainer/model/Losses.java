package org.omnispark.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import org.omnispark.trainer.encoder.EncoderOutput;

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

    /**
     * Copies the scalars to the host (a device sync), under the names the metrics use.
     *
     * @return {@code loss, ctc, att, att_reverse, moe_aux, moe_z}, absent parts left out
     */
    public Map<String, Double> toHost() {
        Map<String, Double> map = new LinkedHashMap<>();
        map.put("loss", scalar(total));
        if (ctc != null) {
            map.put("ctc", scalar(ctc));
        }
        if (att != null) {
            map.put("att", scalar(att));
        }
        if (attReverse != null) {
            map.put("att_reverse", scalar(attReverse));
        }
        map.put("moe_aux", scalar(moeAux));
        map.put("moe_z", scalar(moeZ));
        return map;
    }

    private static double scalar(NDArray x) {
        return org.omnispark.trainer.nn.HostSyncs.scalar(x, org.omnispark.trainer.nn.HostSyncs.Kind.LOSS);
    }
}
