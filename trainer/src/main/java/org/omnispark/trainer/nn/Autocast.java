package org.omnispark.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;

/**
 * Mixed precision for the calling thread, in the spirit of {@code torch.autocast}: inside an enabled scope, the model's
 * GEMMs (linear layers, feed-forward and expert FFNs, attention products, the CTC projection) cast both operands to a
 * low-precision type (bf16), multiply there (tensor cores on a GPU) and cast the product back to the operands' type.
 * Everything else (layer norms, softmax, losses, the router gate, convolutions, parameters, gradients and optimizer
 * state) stays in float32, so this is "bf16 compute, float32 master weights": the casts' backward returns float32
 * gradients to the float32 parameters. The MoE router is left in float32 on purpose (Switch Transformer's selective
 * precision: routing decisions are sensitive to rounding).
 *
 * <pre>
 *   try (Autocast ignored = Autocast.enable(DataType.BFLOAT16)) {
 *       Losses out = model.forward(batch, true, step);   // GEMMs in bf16
 *   }
 * </pre>
 *
 * <p>The setting is per thread (like libtorch's grad mode) and scopes nest; {@link #close} restores the previous one.
 *
 * <p>The bf16 GEMM runs inside a tiny TorchScript module ({@code bf16_matmul.pt}: cast, matmul, cast back), because
 * DJL 0.35.1 cannot hold a bf16 tensor ({@code toType(BFLOAT16)} aborts the JVM); DJL only sees the float32 operands
 * and the float32 product, and autograd records the casts inside the module.
 */
public final class Autocast implements AutoCloseable {

    private static final ThreadLocal<DataType> COMPUTE_TYPE = new ThreadLocal<>();

    private final DataType previous;
    private boolean closed;

    private Autocast(DataType computeType) {
        this.previous = COMPUTE_TYPE.get();
        if (computeType == null) {
            COMPUTE_TYPE.remove();
        } else {
            COMPUTE_TYPE.set(computeType);
        }
    }

    /**
     * Enables low-precision GEMMs on this thread until the returned scope is closed.
     *
     * @param computeType {@link DataType#BFLOAT16} (the only one: float16 would need loss scaling)
     * @return the scope
     */
    public static Autocast enable(DataType computeType) {
        if (computeType != DataType.BFLOAT16) {
            throw new IllegalArgumentException("Autocast computes in BFLOAT16, got " + computeType
                    + "; use Autocast.disable() for full precision");
        }
        return new Autocast(computeType);
    }

    /** @return a scope in which GEMMs run in their operands' own type (e.g. for an fp32 evaluation inside training) */
    public static Autocast disable() {
        return new Autocast(null);
    }

    /** @return the low-precision type GEMMs use on this thread, or null when autocast is off */
    public static DataType computeType() {
        return COMPUTE_TYPE.get();
    }

    /**
     * {@code a @ b} (numpy matmul semantics), in the autocast type when enabled and the operands are float32.
     *
     * @param a {@code [..., n, k]}
     * @param b {@code [..., k, m]} or {@code [k, m]}
     * @return {@code [..., n, m]} in a's type
     */
    public static NDArray matMul(NDArray a, NDArray b) {
        if (!casts(a, b)) {
            return a.matMul(b);
        }
        return bf16MatMul(a, b);
    }

    /**
     * Batched {@code a @ b} over a leading batch axis, in the autocast type when enabled and the operands are float32.
     *
     * @param a {@code [B, n, k]}
     * @param b {@code [B, k, m]}
     * @return {@code [B, n, m]} in a's type
     */
    public static NDArray batchMatMul(NDArray a, NDArray b) {
        if (!casts(a, b)) {
            return a.batchMatMul(b);
        }
        return bf16MatMul(a, b); // torch.matmul of two [B, ., .] operands is the batched product
    }

    private static boolean casts(NDArray a, NDArray b) {
        return COMPUTE_TYPE.get() != null && a.getDataType() == DataType.FLOAT32
                && b.getDataType() == DataType.FLOAT32;
    }

    /** float(bf16(a) @ bf16(b)) by the module, with autograd; the product lands in a's manager. */
    private static NDArray bf16MatMul(NDArray a, NDArray b) {
        return IValueUtils.forward(Bf16Module.MODULE, new NDList(a, b), true).singletonOrThrow();
    }

    /** Loads the module once per JVM, on first use. */
    private static final class Bf16Module {
        static final PtSymbolBlock MODULE = TorchScriptModules.load("/org/omnispark/trainer/nn/bf16_matmul.pt",
                "trainer/src/main/resources/org/omnispark/trainer/nn/make_bf16_matmul_module.py");
    }

    /** Restores the setting that was in effect when this scope was opened. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (previous == null) {
            COMPUTE_TYPE.remove();
        } else {
            COMPUTE_TYPE.set(previous);
        }
    }
}
