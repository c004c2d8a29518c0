package org.omnispark.trainer.infra;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.util.ArrayList;
import java.util.List;
import org.omnispark.trainer.nn.TorchScriptModules;

/**
 * libtorch's multi-tensor Adam kernel ({@code aten::_fused_adam_}, the kernel behind {@code torch.optim.Adam(...,
 * fused=True)}), reached through a TorchScript module ({@code fused_adam.pt}, made by the {@code
 * make_fused_adam_module.py} script beside it). One call updates every parameter, first and second moment in one pass
 * over memory with PyTorch Adam's arithmetic, where the op-by-op update reads and writes each tensor about a dozen
 * times and allocates temporaries of every parameter's size.
 */
final class FusedAdamKernel {

    private static final String MODULE_RESOURCE = "/org/omnispark/trainer/infra/fused_adam.pt";

    private FusedAdamKernel() {}

    /**
     * Applies one Adam update in place (grad mode must be off on the calling thread).
     *
     * @param scope receives the temporaries (step tensors, argument lists)
     * @param params the parameters (updated)
     * @param grads their gradients, same shapes
     * @param expAvgs first moments (updated)
     * @param expAvgSqs second moments (updated)
     * @param stepsAfter each parameter's update count including this update (1 on the first)
     * @param lr learning rate
     * @param beta1 first-moment decay
     * @param beta2 second-moment decay
     * @param l2WeightDecay Adam's L2 term added to the gradient (0 for AdamW, whose caller decays the weights)
     * @param eps denominator epsilon
     */
    static void apply(NDManager scope, List<NDArray> params, List<NDArray> grads, List<NDArray> expAvgs,
            List<NDArray> expAvgSqs, long[] stepsAfter, double lr, double beta1, double beta2, double l2WeightDecay,
            double eps) {
        List<IValue> arguments = new ArrayList<>();
        try {
            PtNDArray[] steps = new PtNDArray[stepsAfter.length];
            for (int i = 0; i < steps.length; i++) {
                steps[i] = (PtNDArray) scope.create((float) stepsAfter[i]); // float32 scalar, as torch.optim keeps
            }
            arguments.add(IValue.listFrom(pt(params)));
            arguments.add(IValue.listFrom(pt(grads)));
            arguments.add(IValue.listFrom(pt(expAvgs)));
            arguments.add(IValue.listFrom(pt(expAvgSqs)));
            arguments.add(IValue.listFrom(steps));
            arguments.add(IValue.from(lr));
            arguments.add(IValue.from(beta1));
            arguments.add(IValue.from(beta2));
            arguments.add(IValue.from(l2WeightDecay));
            arguments.add(IValue.from(eps));
            try (IValue result = IValueUtils.forward(Holder.MODULE, arguments.toArray(new IValue[0]))) {
                // the result is steps[0]; the updates happened in place
            }
        } finally {
            arguments.forEach(IValue::close);
        }
    }

    private static PtNDArray[] pt(List<NDArray> arrays) {
        PtNDArray[] result = new PtNDArray[arrays.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = (PtNDArray) arrays.get(i);
        }
        return result;
    }

    /** Loads the module once per JVM, on first use. */
    private static final class Holder {
        static final PtSymbolBlock MODULE = TorchScriptModules.load(MODULE_RESOURCE,
                "trainer/src/main/resources/org/omnispark/trainer/infra/make_fused_adam_module.py");
    }
}
