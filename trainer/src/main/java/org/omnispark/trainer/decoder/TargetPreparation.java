package org.omnispark.trainer.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.nn.HostSyncs;

/**
 * WeNet's target preparation for the attention decoder ({@code add_sos_eos}, {@code reverse_pad_list}):
 *
 * <pre>
 *   y = [a, b, c]     ysIn  = [sos, a, b, c]   ysOut  = [a, b, c, eos]
 *                     rYsIn = [sos, c, b, a]   rYsOut = [c, b, a, eos]
 *   padding: ysIn / rYsIn with eos, ysOut / rYsOut with ignoreId (-1)
 * </pre>
 *
 * WeNet uses sos = eos = V - 1.
 */
public final class TargetPreparation {

    /** WeNet's ignore id for padded targets. */
    public static final int IGNORE_ID = -1;

    private final int sos;
    private final int eos;
    private final int ignoreId;

    private TargetPreparation(Builder builder) {
        this.sos = builder.sos;
        this.eos = builder.eos;
        this.ignoreId = builder.ignoreId;
    }

    /** @return a builder; setSos and setEos are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * WeNet's convention for a vocabulary of size V.
     *
     * @param vocabSize V; sos = eos = V - 1
     * @return the preparation
     */
    public static TargetPreparation forVocabulary(int vocabSize) {
        return builder().setSos(vocabSize - 1).setEos(vocabSize - 1).build();
    }

    /**
     * Prepares padded label tensors.
     *
     * @param ysPad {@code [B, S]} labels, padded with anything past ysLengths
     * @param ysLengths {@code [B]}
     * @return the decoder targets, in ysPad's manager
     */
    public PreparedTargets prepare(NDArray ysPad, NDArray ysLengths) {
        long[] flat = HostSyncs.longs(ysPad, HostSyncs.Kind.TARGETS);
        long[] lengths = HostSyncs.longs(ysLengths, HostSyncs.Kind.TARGETS);
        int batch = Math.toIntExact(ysPad.getShape().get(0));
        int width = Math.toIntExact(ysPad.getShape().get(1));
        List<int[]> labels = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > width) {
                throw new IllegalArgumentException("Length " + lengths[b] + " of utterance " + b
                        + " is outside [0, " + width + "]");
            }
            int[] y = new int[(int) lengths[b]];
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.toIntExact(flat[b * width + i]);
            }
            labels.add(y);
        }
        return prepare(ysPad.getManager(), labels);
    }

    /**
     * Prepares label sequences held on the host.
     *
     * @param manager where the tensors go
     * @param labels one label sequence per utterance (no sos/eos)
     * @return the decoder targets
     */
    public PreparedTargets prepare(NDManager manager, List<int[]> labels) {
        int batch = labels.size();
        if (batch == 0) {
            throw new IllegalArgumentException("Need at least one label sequence");
        }
        int maxLength = 0;
        for (int[] y : labels) {
            maxLength = Math.max(maxLength, y.length);
        }
        int width = maxLength + 1;
        long[] in = new long[batch * width];
        long[] out = new long[batch * width];
        long[] rIn = new long[batch * width];
        long[] rOut = new long[batch * width];
        long[] inLengths = new long[batch];
        for (int b = 0; b < batch; b++) {
            int[] y = labels.get(b);
            int row = b * width;
            java.util.Arrays.fill(in, row, row + width, eos);
            java.util.Arrays.fill(rIn, row, row + width, eos);
            java.util.Arrays.fill(out, row, row + width, ignoreId);
            java.util.Arrays.fill(rOut, row, row + width, ignoreId);
            in[row] = sos;
            rIn[row] = sos;
            for (int i = 0; i < y.length; i++) {
                in[row + 1 + i] = y[i];
                out[row + i] = y[i];
                rIn[row + 1 + i] = y[y.length - 1 - i];
                rOut[row + i] = y[y.length - 1 - i];
            }
            out[row + y.length] = eos;
            rOut[row + y.length] = eos;
            inLengths[b] = y.length + 1L;
        }
        Shape shape = new Shape(batch, width);
        return new PreparedTargets(manager.create(in, shape), manager.create(out, shape), manager.create(inLengths),
                manager.create(rIn, shape), manager.create(rOut, shape));
    }

    /** @return the start-of-sentence id */
    public int sos() {
        return sos;
    }

    /** @return the end-of-sentence id */
    public int eos() {
        return eos;
    }

    /** @return the id of padded output positions */
    public int ignoreId() {
        return ignoreId;
    }

    /** Builder of {@link TargetPreparation}. */
    public static final class Builder {
        private int sos = -1;
        private int eos = -1;
        private int ignoreId = IGNORE_ID;

        /** @param sos start-of-sentence id (WeNet: V - 1) @return this */
        public Builder setSos(int sos) {
            this.sos = sos;
            return this;
        }

        /** @param eos end-of-sentence id (WeNet: V - 1) @return this */
        public Builder setEos(int eos) {
            this.eos = eos;
            return this;
        }

        /** @param ignoreId padding of outputs, default -1 @return this */
        public Builder optIgnoreId(int ignoreId) {
            this.ignoreId = ignoreId;
            return this;
        }

        /** @return the preparation */
        public TargetPreparation build() {
            if (sos < 0 || eos < 0) {
                throw new IllegalStateException("TargetPreparation needs setSos and setEos (WeNet: both V - 1), got sos="
                        + sos + " eos=" + eos);
            }
            if (ignoreId >= 0) {
                throw new IllegalStateException("ignoreId must be negative so it cannot be a label, got " + ignoreId);
            }
            return new TargetPreparation(this);
        }
    }
}
