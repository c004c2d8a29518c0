/**
 * The trainer's layer convention and basic layers: {@link org.omnispark.trainer.nn.ModelParameter} (a named,
 * seeded, gradient-carrying tensor), {@link org.omnispark.trainer.nn.ParameterOwner} (anything holding parameters)
 * and {@link org.omnispark.trainer.nn.ParameterCollector} (deduplicates shared parameters, zeroes gradients).
 * The convention itself is written down in {@code org.omnispark.trainer.moe}'s package documentation.
 */
package org.omnispark.trainer.nn;
