package org.omnispark.trainer.ctc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import org.omnispark.trainer.nn.TorchScriptModules;
import org.omnispark.trainer.nn.Scalars;

/**
 * CTC loss computed by libtorch's own {@code ctc_loss} forward and backward kernels.
 *
 * <p>DJL has no CTC loss; the bundled TorchScript module {@code ctc_loss.pt} (made by {@code make_ctc_module.py} next
 * to it, with {@code reduction="none", zero_infinity=True}) is loaded once per JVM and called with the caller's
 * tensors, so the result is part of the caller's autograd graph: a backward pass with {@code JniUtils.backward} on
 * the calling thread, or inside a DJL {@code GradientCollector}, reaches the log-probabilities and everything before
 * them. The module holds no parameters and libtorch runs it concurrently from several threads.
 *
 * <pre>
 *   logProbs      [T, B, V] float32/float64, log-softmaxed over V (see {@link CtcHead})
 *   targets       [B, S]    integer labels, padded (values past targetLengths[b] are ignored; padding -1 is fine)
 *   inputLengths  [B]       valid frames per utterance (&lt;= T)
 *   targetLengths [B]       labels per utterance (&lt;= S)
 *   result        scalar, or [B] for {@link CtcReduction#NONE}
 * </pre>
 *
 * Note on the gradient: libtorch returns {@code exp(logProbs) - posterior} as the gradient of the log-probabilities,
 * which is the exact gradient with respect to the logits once it passes back through a log-softmax (the component
 * along the simplex that differs from the textbook {@code -posterior} is removed by the log-softmax's backward).
 * Always feed log-softmax outputs.
 */
public final class CtcLoss {

    /** Classpath location of the TorchScript module. */
    public static final String MODULE_RESOURCE = "/org/omnispark/trainer/ctc/ctc_loss.pt";

    private final int blank;
    private final CtcReduction reduction;

    private CtcLoss(Builder builder) {
        this.blank = builder.blank;
        this.reduction = builder.reduction;
    }

    /** @return a builder; every value is optional (blank 0, WeNet's sum-over-batch reduction) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return WeNet's CTC loss: blank 0, {@code sum(nll) / B} */
    public static CtcLoss wenet() {
        return builder().build();
    }

    /**
     * Computes the reduced loss.
     *
     * @param logProbs {@code [T, B, V]} log-softmaxed
     * @param targets {@code [B, S]} labels
     * @param inputLengths {@code [B]}
     * @param targetLengths {@code [B]}
     * @return a scalar (or {@code [B]} for {@link CtcReduction#NONE}) in logProbs' manager and data type
     */
    public NDArray forward(NDArray logProbs, NDArray targets, NDArray inputLengths, NDArray targetLengths) {
        NDArray nll = perUtterance(logProbs, targets, inputLengths, targetLengths); // [B]
        long batch = nll.getShape().get(0);
        switch (reduction) {
            case NONE:
                return nll;
            case SUM:
                return nll.sum();
            case SUM_OVER_BATCH:
                return Scalars.div(nll.sum(), batch);
            case MEAN_OVER_TARGET_LENGTH:
                NDArray lengths = targetLengths.toType(nll.getDataType(), false).maximum(1f); // [B]
                return nll.div(lengths).mean();
            default:
                throw new IllegalStateException("Unhandled reduction " + reduction);
        }
    }

    /**
     * Computes the per-utterance negative log-likelihoods (0 for impossible alignments).
     *
     * @param logProbs {@code [T, B, V]} log-softmaxed
     * @param targets {@code [B, S]} labels
     * @param inputLengths {@code [B]}
     * @param targetLengths {@code [B]}
     * @return {@code [B]} in logProbs' manager and data type
     */
    public NDArray perUtterance(NDArray logProbs, NDArray targets, NDArray inputLengths, NDArray targetLengths) {
        Shape shape = logProbs.getShape();
        if (shape.dimension() != 3) {
            throw new IllegalArgumentException("logProbs must be [T, B, V], got " + shape
                    + "; transpose a [B, T, V] tensor with logProbs.transpose(1, 0, 2)");
        }
        long batch = shape.get(1);
        long vocab = shape.get(2);
        if (blank >= vocab) {
            throw new IllegalArgumentException("blank id " + blank + " is outside the vocabulary of size " + vocab);
        }
        Shape targetShape = targets.getShape();
        if (targetShape.dimension() != 2 || targetShape.get(0) != batch) {
            throw new IllegalArgumentException("targets must be [B, S] with B = " + batch + ", got " + targetShape);
        }
        checkLengths("inputLengths", inputLengths, batch);
        checkLengths("targetLengths", targetLengths, batch);
        NDManager manager = logProbs.getManager();
        NDArray targets64 = targets.toType(DataType.INT64, false);
        // Padding (e.g. ignore_id -1) past each target length is ignored by libtorch, but negative ids inside are
        // not: replace them by the blank so that a mistake shows up as a wrong loss, not a native crash.
        NDArray safeTargets = targets64.maximum(0L);
        NDArray inLen = inputLengths.toType(DataType.INT64, false);
        NDArray tgtLen = targetLengths.toType(DataType.INT64, false);
        NDArray blankId = manager.create((long) blank);
        // IValueUtils.forward(..., true) runs the module with autograd (the IValue overload of PtSymbolBlock.forward
        // runs it without, and its result would not reach the caller's graph). The result lands in logProbs' manager.
        NDList result = IValueUtils.forward(
                Holder.MODULE, new NDList(logProbs, safeTargets, inLen, tgtLen, blankId), true);
        return result.singletonOrThrow();
    }

    private static void checkLengths(String name, NDArray lengths, long batch) {
        if (lengths.getShape().dimension() != 1 || lengths.getShape().get(0) != batch) {
            throw new IllegalArgumentException(name + " must be [B] with B = " + batch + ", got " + lengths.getShape());
        }
    }

    /** @return the blank id */
    public int blank() {
        return blank;
    }

    /** @return the reduction */
    public CtcReduction reduction() {
        return reduction;
    }

    /** Loads the module once per JVM, on first use. */
    private static final class Holder {
        static final PtSymbolBlock MODULE = TorchScriptModules.load(MODULE_RESOURCE,
                "trainer/src/main/resources/org/omnispark/trainer/ctc/make_ctc_module.py");
    }

    /** Builder of {@link CtcLoss}; all values optional. */
    public static final class Builder {
        private int blank;
        private CtcReduction reduction = CtcReduction.SUM_OVER_BATCH;

        /** @param blank the blank id, default 0 @return this */
        public Builder optBlank(int blank) {
            this.blank = blank;
            return this;
        }

        /** @param reduction default {@link CtcReduction#SUM_OVER_BATCH} @return this */
        public Builder optReduction(CtcReduction reduction) {
            this.reduction = reduction;
            return this;
        }

        /** @return the loss */
        public CtcLoss build() {
            if (blank < 0) {
                throw new IllegalArgumentException("blank must be >= 0, got " + blank + "; WeNet uses 0");
            }
            if (reduction == null) {
                throw new IllegalArgumentException("reduction must not be null; use SUM_OVER_BATCH for WeNet");
            }
            return new CtcLoss(this);
        }
    }
}
