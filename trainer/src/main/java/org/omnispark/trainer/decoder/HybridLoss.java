package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;
import org.omnispark.trainer.nn.Scalars;

/**
 * U2++'s training loss:
 *
 * <pre>
 *   attention = (1 - reverseWeight) * attL2r + reverseWeight * attR2l
 *   loss      = ctcWeight * ctc + (1 - ctcWeight) * attention
 * </pre>
 *
 * U2++ recipes: ctcWeight 0.3, reverseWeight 0.3.
 *
 * @param ctcWeight in [0, 1]
 * @param reverseWeight in [0, 1]
 */
public record HybridLoss(double ctcWeight, double reverseWeight) {

    /** Validates. */
    public HybridLoss {
        if (ctcWeight < 0 || ctcWeight > 1 || reverseWeight < 0 || reverseWeight > 1) {
            throw new IllegalArgumentException("ctcWeight and reverseWeight must be in [0, 1], got " + ctcWeight
                    + " and " + reverseWeight);
        }
    }

    /** @return U2++'s weights (0.3, 0.3) */
    public static HybridLoss u2pp() {
        return new HybridLoss(0.3, 0.3);
    }

    /**
     * Combines the losses (scalars).
     *
     * @param ctc CTC loss; may be null when ctcWeight = 0
     * @param attL2r left-to-right attention loss; may be null when ctcWeight = 1
     * @param attR2l right-to-left attention loss; may be null when reverseWeight = 0 or ctcWeight = 1
     * @return the combined scalar
     */
    public NDArray combine(NDArray ctc, NDArray attL2r, NDArray attR2l) {
        NDArray attention = null;
        if (ctcWeight < 1) {
            require(attL2r, "attL2r", "ctcWeight < 1");
            attention = Scalars.mul(attL2r, 1 - reverseWeight);
            if (reverseWeight > 0) {
                require(attR2l, "attR2l", "reverseWeight > 0");
                attention = attention.add(Scalars.mul(attR2l, reverseWeight));
            }
        }
        if (ctcWeight == 0) {
            return attention;
        }
        require(ctc, "ctc", "ctcWeight > 0");
        NDArray weightedCtc = Scalars.mul(ctc, ctcWeight);
        return attention == null ? weightedCtc : weightedCtc.add(Scalars.mul(attention, 1 - ctcWeight));
    }

    private static void require(NDArray value, String name, String why) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required when " + why);
        }
    }
}
