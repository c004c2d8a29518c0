package org.omnispark.trainer.infra;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.omnispark.trainer.nn.ModelParameter;

/**
 * Adam and AdamW with PyTorch's update rule ({@code torch.optim.Adam} / {@code AdamW}, non-amsgrad), per parameter:
 *
 * <pre>
 *   Adam  (L2):        g = grad + wd * w
 *   AdamW (decoupled): w = w * (1 - lr * wd);  g = grad
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   w = w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * <p>By default one call of libtorch's multi-tensor kernel ({@link FusedAdamKernel}, PyTorch's {@code fused=True})
 * updates all parameters in one pass over memory (AdamW first decays the weights in place); {@code optFused(false)}
 * runs the same rule op by op per parameter, the reference the fused path is tested against.
 *
 * <p>The state {@code m} ({@code exp_avg}) and {@code v} ({@code exp_avg_sq}) are NDArrays of the parameter's shape
 * and data type in the parameter's (the model's) manager, created as zeros at construction; {@code t} is a per-parameter
 * update counter. Temporaries of an update live in a sub-manager that is closed right away. Updates run with grad mode
 * off on the calling thread (restored afterwards).
 */
public final class Adam implements Optimizer {

    private final List<ModelParameter> parameters;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupledWeightDecay;
    private final boolean fused;
    private final List<NDArray> expAvg = new ArrayList<>();
    private final List<NDArray> expAvgSq = new ArrayList<>();
    private final long[] steps;
    private long stepCount;

    private Adam(Builder builder) {
        this.parameters = List.copyOf(builder.parameters);
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.eps = builder.eps;
        this.weightDecay = builder.weightDecay;
        this.decoupledWeightDecay = builder.decoupledWeightDecay;
        this.fused = builder.fused;
        this.steps = new long[parameters.size()];
        Set<String> names = new java.util.HashSet<>();
        Set<ModelParameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ModelParameter p : parameters) {
            if (!seen.add(p)) {
                throw new IllegalArgumentException("parameter " + p.name() + " is listed twice; collect parameters "
                        + "with ParameterCollector.unique so a shared parameter is updated once");
            }
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("two different parameters are both named '" + p.name()
                        + "'; give every parameter a unique name (checkpoints are keyed by name)");
            }
            NDArray w = p.array();
            expAvg.add(w.getManager().zeros(w.getShape(), w.getDataType()));
            expAvgSq.add(w.getManager().zeros(w.getShape(), w.getDataType()));
        }
    }

    /** @return a builder for Adam (L2 weight decay added to the gradient, as torch.optim.Adam) */
    public static Builder builder() {
        return new Builder(false);
    }

    /** @return a builder for AdamW (decoupled weight decay, default 0.01, as torch.optim.AdamW) */
    public static Builder adamWBuilder() {
        return new Builder(true).optWeightDecay(0.01);
    }

    @Override
    public List<ModelParameter> parameters() {
        return parameters;
    }

    @Override
    public void step(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + learningRate);
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            if (fused) {
                fusedUpdate(learningRate);
            } else {
                for (int i = 0; i < parameters.size(); i++) {
                    update(i, learningRate);
                }
            }
            stepCount++;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private void fusedUpdate(double lr) {
        try (NDManager scope = parameters.get(0).array().getManager().newSubManager()) {
            List<NDArray> weights = new ArrayList<>(parameters.size());
            List<NDArray> grads = new ArrayList<>(parameters.size());
            long[] stepsAfter = new long[parameters.size()];
            for (int i = 0; i < parameters.size(); i++) {
                NDArray w = parameters.get(i).array();
                if (decoupledWeightDecay && weightDecay != 0) {
                    w.muli(1 - lr * weightDecay);
                }
                weights.add(w);
                grads.add(scoped(scope, w.getGradient()));
                stepsAfter[i] = ++steps[i];
            }
            FusedAdamKernel.apply(scope, weights, grads, expAvg, expAvgSq, stepsAfter, lr, beta1, beta2,
                    decoupledWeightDecay ? 0 : weightDecay, eps);
        }
    }

    private void update(int i, double lr) {
        NDArray w = parameters.get(i).array();
        NDArray m = expAvg.get(i);
        NDArray v = expAvgSq.get(i);
        long t = ++steps[i];
        try (NDManager scope = w.getManager().newSubManager()) {
            NDArray g = scoped(scope, w.getGradient()); // same shape as w
            if (weightDecay != 0) {
                if (decoupledWeightDecay) {
                    w.muli(1 - lr * weightDecay);
                } else {
                    g = g.add(scoped(scope, w.mul(weightDecay)));
                }
            }
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            double biasCorrection1 = 1 - Math.pow(beta1, t);
            double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
            NDArray denom = scoped(scope, v.sqrt()).divi(biasCorrection2Sqrt).addi(eps);
            NDArray update = scoped(scope, m.div(denom)).muli(lr / biasCorrection1);
            w.subi(update);
        }
    }

    private static NDArray scoped(NDManager scope, NDArray array) {
        array.attach(scope);
        return array;
    }

    @Override
    public long stepCount() {
        return stepCount;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            state.put(parameters.get(i).name() + ".exp_avg", expAvg.get(i));
            state.put(parameters.get(i).name() + ".exp_avg_sq", expAvgSq.get(i));
        }
        return Collections.unmodifiableMap(state);
    }

    @Override
    public Map<String, Long> stateCounters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("optimizer.step_count", stepCount);
        for (int i = 0; i < parameters.size(); i++) {
            counters.put(parameters.get(i).name() + ".step", steps[i]);
        }
        return Collections.unmodifiableMap(counters);
    }

    @Override
    public void restoreCounters(Map<String, Long> counters) {
        Map<String, Long> expected = stateCounters();
        if (!counters.keySet().equals(expected.keySet())) {
            Set<String> missing = new java.util.TreeSet<>(expected.keySet());
            missing.removeAll(counters.keySet());
            Set<String> extra = new java.util.TreeSet<>(counters.keySet());
            extra.removeAll(expected.keySet());
            throw new IllegalArgumentException("optimizer counters do not match this model: missing " + missing
                    + ", unexpected " + extra + "; was the checkpoint written for a different model or optimizer?");
        }
        stepCount = counters.get("optimizer.step_count");
        for (int i = 0; i < parameters.size(); i++) {
            steps[i] = counters.get(parameters.get(i).name() + ".step");
        }
    }

    @Override
    public String toString() {
        return (decoupledWeightDecay ? "AdamW" : "Adam") + "{fused=" + fused + ", params=" + parameters.size()
                + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weightDecay=" + weightDecay + "}";
    }

    /** Builder: {@link #setParameters} is required. */
    public static final class Builder {
        private List<ModelParameter> parameters;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay;
        private boolean decoupledWeightDecay;
        private boolean fused = true;

        private Builder(boolean decoupledWeightDecay) {
            this.decoupledWeightDecay = decoupledWeightDecay;
        }

        /** @param parameters each parameter once (use ParameterCollector.unique) @return this */
        public Builder setParameters(List<ModelParameter> parameters) {
            this.parameters = parameters;
            return this;
        }

        /** @param beta1 default 0.9 @return this */
        public Builder optBeta1(double beta1) {
            this.beta1 = beta1;
            return this;
        }

        /** @param beta2 default 0.999 @return this */
        public Builder optBeta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        /** @param eps default 1e-8 @return this */
        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        /** @param weightDecay default 0 (Adam) or 0.01 (AdamW) @return this */
        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** @param decoupled true for AdamW's decoupled decay, false for Adam's L2 term @return this */
        public Builder optDecoupledWeightDecay(boolean decoupled) {
            this.decoupledWeightDecay = decoupled;
            return this;
        }

        /**
         * @param fused true (default): libtorch's multi-tensor kernel; false: the op-by-op reference
         * @return this
         */
        public Builder optFused(boolean fused) {
            this.fused = fused;
            return this;
        }

        /** @return the optimizer, with zero state */
        public Adam build() {
            if (parameters == null || parameters.isEmpty()) {
                throw new IllegalArgumentException("setParameters is required and must not be empty; pass "
                        + "ParameterCollector.unique(model)");
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0)) {
                throw new IllegalArgumentException("eps must be > 0, got " + eps);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
            }
            return new Adam(this);
        }
    }
}
