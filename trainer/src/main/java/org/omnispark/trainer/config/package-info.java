/**
 * Model and training configuration: immutable records bound from snake_case YAML by {@link
 * org.omnispark.data.config.ConfigLoader} (unknown keys are errors that name the key; absent keys take documented
 * defaults; validation messages name the key). {@link org.omnispark.trainer.config.ModelConfig} is shaped like a WeNet
 * model config ({@code encoder}, {@code encoder_conf} with an {@code ffn} section choosing dense / switch / omni
 * feed-forward layers, {@code decoder}, {@code decoder_conf}, {@code model_conf}, {@code spec_aug});
 * {@link org.omnispark.trainer.config.TrainConfig} holds the optimizer, schedule, batching and checkpoint options;
 * {@link org.omnispark.trainer.config.ParameterCount} counts total and active parameters from a model config. The
 * YAML files live in {@code conf/model/} and {@code conf/train/}.
 *
 * <p>Names: a {@code *Conf} record is one YAML section as WeNet names it ({@code EncoderConf} is {@code encoder_conf},
 * {@code HybridLossConf} is {@code model_conf}); a {@code *Config} is a whole YAML file ({@code ModelConfig}, {@code
 * TrainConfig}); a {@code *Spec} in a layer's package ({@code encoder.EncoderSpec}, {@code decoder.DecoderSpec},
 * {@code moe.FeedForwardSpec}, {@code moe.RouterSpec}) is what that layer is built from, derived values included.
 * {@code model.ComponentSpecs} is the one place that maps the sections onto the layers' specs.
 */
package org.omnispark.trainer.config;
