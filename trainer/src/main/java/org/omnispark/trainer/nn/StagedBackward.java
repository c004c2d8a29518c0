package org.omnispark.trainer.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * A backward pass in stages, for a forward pass whose graph is cut where tensors cross ranks.
 *
 * <p>DJL has neither custom autograd functions nor torch.distributed, so an all-to-all cannot sit inside libtorch's
 * graph. Instead the forward pass records {@link Stage}s on this per-thread tape, in the order it meets them:
 *
 * <ul>
 *   <li>a <b>cut</b> ({@link #cut}): the tensor continues as a fresh leaf that requires grad; its stage runs {@code
 *       backward(source, leaf.grad)} once the leaf's gradient is complete;
 *   <li>an <b>exchange</b> (added by a distributed {@code TokenDispatcher}): the rows it received are leaves; its
 *       stage sends their gradients back with the reverse all-to-all (input and output splits swapped) and runs
 *       {@code backward(sent, gradient that came back)}.
 * </ul>
 *
 * {@link #backward} runs the loss's backward, then every stage in REVERSE order. A stage's leaf is used only by
 * operations recorded after it, whose stages have all run by then, so its gradient is complete when its turn comes.
 * Every rank records the same stages in the same order (same model), so the exchanges' collectives line up.
 *
 * <p>Cost stays linear in the number of MoE layers only if every graph node is reached from exactly ONE backward
 * call: layers therefore cut the residual stream before each MoE block and the MoE layer cuts its own input (the
 * router and the dispatch both read it). A node reached twice makes libtorch fail loudly ("Trying to backward
 * through the graph a second time"), never silently.
 *
 * <p>Branches need the same care: an MoE block's load-balancing loss joins the final loss while its combine weights
 * flow into the next segment, so the router cuts its logits and computes the softmax once per use (see {@code
 * TopKRouter}); the encoder output, read by the CTC head and by every decoder layer, is cut when the decoder has MoE
 * blocks.
 *
 * <p>Outside a tape (single process, inference) {@link #cut} is the identity and nothing is recorded.
 *
 * <pre>{@code
 * try (StagedBackward tape = StagedBackward.begin()) {
 *     NDArray loss = model.forward(batch, true, counter).total();
 *     tape.backward(loss);
 * }
 * }</pre>
 */
public final class StagedBackward implements AutoCloseable {

    private static final ThreadLocal<StagedBackward> CURRENT = new ThreadLocal<>();

    /** One recorded piece of the backward pass. */
    @FunctionalInterface
    public interface Stage {
        /** Runs this stage's backward (and, for an exchange, its reverse communication). */
        void backward();
    }

    private final List<Stage> stages = new ArrayList<>();
    private final StagedBackward previous;
    private boolean done;

    private StagedBackward(StagedBackward previous) {
        this.previous = previous;
    }

    /** @return a new tape, active on this thread until closed */
    public static StagedBackward begin() {
        StagedBackward tape = new StagedBackward(CURRENT.get());
        CURRENT.set(tape);
        return tape;
    }

    /** @return the tape active on this thread, or null */
    public static StagedBackward current() {
        return CURRENT.get();
    }

    /**
     * Cuts the graph at {@code x} when {@link #recording()}; else returns {@code x}.
     *
     * @param x a tensor of the forward pass that depends on parameters (in a training pass, every hidden state does)
     * @return a leaf with x's values (sharing its storage) that requires grad, or x itself
     */
    public static NDArray cut(NDArray x) {
        StagedBackward tape = CURRENT.get();
        if (tape == null || !JniUtils.isGradMode()) {
            return x;
        }
        NDArray leaf = x.stopGradient();
        leaf.setRequiresGradient(true);
        int index = tape.stages.size();
        tape.add(new Stage() {
            @Override
            public void backward() {
                PtNDArray gradient = JniUtils.getGradient((PtNDArray) leaf);
                if (gradient != null) { // null: nothing downstream used the leaf
                    JniUtils.backward((PtNDArray) x, gradient, false, false);
                }
            }

            @Override
            public String toString() {
                return "cut #" + index + " of " + x.getShape();
            }
        });
        return leaf;
    }

    /**
     * Whether the forward pass running on this thread is a training pass under a tape: grad mode on and a tape
     * active. Every rank of a job answers the same, so they all record the same stages.
     *
     * @return true if stages must be recorded
     */
    public static boolean recording() {
        return CURRENT.get() != null && JniUtils.isGradMode();
    }

    /**
     * Records a stage (a distributed dispatcher's exchange).
     *
     * @param stage its backward
     */
    public void add(Stage stage) {
        if (done) {
            throw new IllegalStateException("this tape has run its backward already; begin a new one per micro-batch");
        }
        stages.add(stage);
    }

    /** @return the number of recorded stages */
    public int numStages() {
        return stages.size();
    }

    /**
     * Runs the backward pass: the loss first, then every stage in reverse order. Call once.
     *
     * @param loss the scalar to differentiate (its gradient is 1)
     */
    public void backward(NDArray loss) {
        if (done) {
            throw new IllegalStateException("backward already ran on this tape");
        }
        done = true;
        try (NDArray ones = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        } catch (EngineException e) {
            // A loss that depends on no parameter (a rank without tokens in this layer stack) has nothing to
            // differentiate, but its stages must still run: their exchanges are collectives the peers wait in.
            if (e.getMessage() == null || !e.getMessage().contains("does not require grad")) {
                throw e;
            }
        }
        for (int i = stages.size() - 1; i >= 0; i--) {
            try {
                stages.get(i).backward();
            } catch (RuntimeException e) {
                throw new IllegalStateException("backward stage " + i + " of " + stages.size() + " (" + stages.get(i)
                        + ") failed: " + e.getMessage(), e);
            }
        }
    }

    /** Deactivates the tape on this thread (restoring an enclosing one, if any). */
    @Override
    public void close() {
        if (CURRENT.get() == this) {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
