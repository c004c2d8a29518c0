package org.omnispark.expertparallel;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import org.omnispark.trainer.nn.TorchScriptModules;

/**
 * The copies between device and host memory that {@link HostStaging} makes, through libtorch's own {@code copy_}.
 *
 * <p>DJL 0.35.1 copies between devices only synchronously ({@code NDArray.toDevice}, a {@code Tensor.to} with
 * {@code non_blocking=false}, into a new pageable tensor) and exposes neither {@code Tensor.pin_memory()}, nor
 * non-blocking copies, nor CUDA streams or events ({@code JniUtils} has {@code to}, {@code emptyCudaCache} and
 * nothing more). The TorchScript module {@code host_staging.pt} ({@code make_host_staging_module.py} beside it) reaches
 * what libtorch has: a pinned host tensor ({@code pin_memory()}, CUDA builds of libtorch only), {@code dst.copy_(src,
 * non_blocking)} into an existing tensor (so host buffers are reused), and a wait (a blocking one-element copy to the
 * host, which returns once every copy queued before it on that device's current stream has finished; TorchScript has
 * no {@code torch.cuda.synchronize} and DJL no events, so a wait is for the whole stream, not one copy).
 */
final class StagingCopies {

    private static final String RESOURCE = "/org/omnispark/expertparallel/host_staging.pt";
    private static final String SCRIPT =
            "expert-parallel/src/main/resources/org/omnispark/expertparallel/make_host_staging_module.py";

    private StagingCopies() {}

    /** Loaded on first use, for the JVM's lifetime (the module holds no tensors). */
    private static final class Holder {
        static final PtSymbolBlock MODULE = TorchScriptModules.load(RESOURCE, SCRIPT);
    }

    /**
     * A float32 host buffer: page-locked where libtorch can pin (a CUDA build with a visible device), else pageable.
     *
     * @param manager owns the buffer
     * @param numel its length
     * @param pin true to try pinned memory
     * @return the buffer, and whether it is pinned
     */
    static Buffer hostBuffer(NDManager manager, long numel, boolean pin) {
        if (pin) {
            try (IValue size = IValue.from(numel);
                    IValue result = IValueUtils.runMethod(Holder.MODULE, "pinned", size)) {
                return new Buffer(result.toTensor((PtNDManager) manager), true, null);
            } catch (EngineException e) { // a CPU build of libtorch cannot pin: pageable memory, said so
                return new Buffer(manager.create(new Shape(numel), DataType.FLOAT32, Device.cpu()), false,
                        e.getMessage());
            }
        }
        return new Buffer(manager.create(new Shape(numel), DataType.FLOAT32, Device.cpu()), false, null);
    }

    /**
     * A host buffer.
     *
     * @param array {@code [numel]} float32 on the CPU
     * @param pinned whether it is page-locked
     * @param whyNotPinned libtorch's reason when pinning was asked for and failed, else null
     */
    record Buffer(NDArray array, boolean pinned, String whyNotPinned) {}

    /**
     * {@code dst.copy_(src, nonBlocking)}: the same shape, any devices. Non-blocking only means something between a
     * CUDA device and pinned host memory; libtorch copies synchronously otherwise.
     *
     * @param dst written in place
     * @param src read
     * @param nonBlocking queue the copy on the current stream and return
     */
    static void copyInto(NDArray dst, NDArray src, boolean nonBlocking) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false); // a copy with autograd on would chain every exchange's graph to the buffer
        try (IValue to = IValue.from((PtNDArray) dst);
                IValue from = IValue.from((PtNDArray) src);
                IValue flag = IValue.from(nonBlocking);
                IValue ignored = IValueUtils.runMethod(Holder.MODULE, "copy_into", to, from, flag)) {
            // dst holds the values (or will, once the device's stream reaches the copy)
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * Waits until every copy queued on {@code onDevice}'s device (current stream) has finished; nothing for a CPU
     * tensor, whose copies are synchronous.
     *
     * @param onDevice a tensor of at least one element on the device waited for
     */
    static void waitFor(NDArray onDevice) {
        if (Device.Type.CPU.equals(onDevice.getDevice().getDeviceType()) || onDevice.getShape().size() == 0) {
            return;
        }
        try (IValue x = IValue.from((PtNDArray) onDevice);
                IValue ignored = IValueUtils.runMethod(Holder.MODULE, "wait", x)) {
            // returned after the blocking copy
        }
    }

    /** Loads the module now (a CPU run checks that libtorch compiles it, although it never pins). */
    static void load() {
        if (Holder.MODULE == null) {
            throw new IllegalStateException("no " + RESOURCE);
        }
    }
}
