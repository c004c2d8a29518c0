package org.omnispark.trainer.infra;

import java.util.List;
import org.omnispark.trainer.config.TrainConfig;
import org.omnispark.trainer.nn.ModelParameter;

/** Builds the optimizer and learning-rate schedule a {@link TrainConfig} describes. */
public final class Optimizers {

    private Optimizers() {}

    /**
     * @param config the training config ({@code optim, betas, eps, weight_decay})
     * @param parameters each parameter once (ParameterCollector.unique)
     * @return Adam or AdamW
     */
    public static Optimizer create(TrainConfig config, List<ModelParameter> parameters) {
        Adam.Builder builder = config.optim().equals("adamw") ? Adam.adamWBuilder() : Adam.builder();
        return builder.setParameters(parameters)
                .optBeta1(config.betas().get(0))
                .optBeta2(config.betas().get(1))
                .optEps(config.eps())
                .optWeightDecay(config.weightDecay())
                .build();
    }

    /**
     * @param config the training config ({@code scheduler, lr, warmup_steps, min_lr, max_steps})
     * @return WarmupLr, or WarmupDecayLr for cosine / linear
     */
    public static LearningRateSchedule schedule(TrainConfig config) {
        return switch (config.scheduler()) {
            case "cosine" -> new WarmupDecayLr(config.lr(), config.minLr(), config.warmupSteps(), config.maxSteps(),
                    WarmupDecayLr.Decay.COSINE);
            case "linear" -> new WarmupDecayLr(config.lr(), config.minLr(), config.warmupSteps(), config.maxSteps(),
                    WarmupDecayLr.Decay.LINEAR);
            default -> new WarmupLr(config.lr(), config.warmupSteps());
        };
    }
}
