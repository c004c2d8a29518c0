package org.omnispark.trainer.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;

/**
 * Adam / AdamW (and global-norm clipping) against torch.optim in torch 1.13, 5 steps on a tiny two-layer regression
 * (golden values from trainer/src/test/python/make_optim_golden.py). Gradients are recomputed here with DJL autograd,
 * so the comparison covers the whole step; both the fused multi-tensor kernel and the op-by-op reference are checked.
 * Tolerance: |java - torch| &lt;= 2e-6 + 2e-5 * |torch| per entry (float32 arithmetic in a different op order),
 * gradient norm to 1e-5 relative.
 */
class AdamGoldenTest {

    @ParameterizedTest(name = "{0}, fused kernel {1}")
    @CsvSource({"adam, true", "adam_l2, true", "adamw_clip, true", "adam, false", "adam_l2, false",
        "adamw_clip, false"})
    void matchesTorchOptimForFiveSteps(String name, boolean fused) {
        Path folder = TrainTestSupport.golden("optim", name);
        JsonNode golden = TrainTestSupport.readJson(folder.resolve("golden.json"));
        JsonNode config = golden.get("config");
        JsonNode tensors = golden.get("tensors");
        try (NDManager manager = TrainTestSupport.newManager()) {
            NDArray x = TrainTestSupport.readTensor(manager, folder, tensors.get("x")); // [6, 4]
            NDArray y = TrainTestSupport.readTensor(manager, folder, tensors.get("y")); // [6, 3]
            ModelParameter w1 = param(manager, folder, tensors, "w1"); // [4, 5]
            ModelParameter b1 = param(manager, folder, tensors, "b1"); // [5]
            ModelParameter w2 = param(manager, folder, tensors, "w2"); // [5, 3]
            List<ModelParameter> params = List.of(w1, b1, w2);
            Adam.Builder builder = config.get("optim").asText().equals("adamw") ? Adam.adamWBuilder() : Adam.builder();
            Adam adam = builder.setParameters(params)
                    .optBeta1(config.get("betas").get(0).asDouble())
                    .optBeta2(config.get("betas").get(1).asDouble())
                    .optEps(config.get("eps").asDouble())
                    .optWeightDecay(config.get("weight_decay").asDouble())
                    .optFused(fused)
                    .build();
            double clip = config.get("clip").asDouble();
            int steps = golden.get("steps").asInt();
            for (int step = 0; step < steps; step++) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(scope);
                    // pred = tanh(x @ w1 + b1) @ w2   [6, 3]; loss = mean((pred - y)^2)
                    NDArray pred = xs.matMul(w1.array()).add(b1.array()).tanh().matMul(w2.array());
                    NDArray loss = pred.sub(y).square().mean();
                    assertEquals(golden.get("losses").get(step).asDouble(), loss.getFloat(), 1e-5,
                            name + " loss at step " + (step + 1));
                    TrainTestSupport.backward(loss);
                }
                if (clip > 0) {
                    double norm = GradientClipping.clipGlobalNorm(params, clip);
                    double expected = golden.get("grad_norms").get(step).asDouble();
                    assertEquals(expected, norm, 1e-5 * expected, name + " grad norm at step " + (step + 1));
                }
                adam.step(config.get("lrs").get(step).asDouble());
                ParameterCollector.zeroGradients(params);
                for (ModelParameter p : params) {
                    compare(name, step, p, TrainTestSupport.readTensor(manager, folder,
                            tensors.get(p.name() + "_steps")).get(step));
                }
            }
            assertEquals(steps, adam.stepCount());
        }
    }

    private static ModelParameter param(NDManager manager, Path folder, JsonNode tensors, String name) {
        return new ModelParameter(name, TrainTestSupport.readTensor(manager, folder, tensors.get(name + "_init")), false);
    }

    private static void compare(String name, int step, ModelParameter p, NDArray expected) {
        float[] actual = TrainTestSupport.floats(p.array());
        float[] want = TrainTestSupport.floats(expected);
        assertEquals(want.length, actual.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], actual[i], 2e-6 + 2e-5 * Math.abs(want[i]),
                    name + ": " + p.name() + "[" + i + "] after step " + (step + 1) + " (torch " + want[i] + ")");
        }
    }
}
