/**
 * The trainer's layer convention and basic layers.
 *
 * <ul>
 *   <li>{@link org.omnispark.trainer.nn.ModelParameter} (a named, seeded, gradient-carrying tensor), {@link
 *       org.omnispark.trainer.nn.ParameterOwner} (anything holding parameters) and {@link
 *       org.omnispark.trainer.nn.ParameterCollector} (deduplicates shared parameters, zeroes gradients). The
 *       convention itself is written down in {@code org.omnispark.trainer.moe}'s package documentation.
 *   <li>Basic layers that follow it: {@link org.omnispark.trainer.nn.Linear} (input-major {@code [in, out]}), {@link
 *       org.omnispark.trainer.nn.LayerNorm}, {@link org.omnispark.trainer.nn.Embedding}, {@link
 *       org.omnispark.trainer.nn.Dropout}, {@link org.omnispark.trainer.nn.Activations}, and the sinusoidal {@link
 *       org.omnispark.trainer.nn.PositionalEncoding} / {@link org.omnispark.trainer.nn.RelPositionalEncoding}.
 *   <li>{@link org.omnispark.trainer.nn.StagedBackward}: the autograd tape below the layers. A forward pass records
 *       cut points (and, under expert parallelism, exchanges) on it; the backward pass runs them in reverse, so a
 *       graph cut where tensors cross ranks is differentiated in stages. Layers use it; nothing here knows ranks.
 * </ul>
 *
 * Nothing here is MoE-specific; every temporary belongs to the input's manager.
 */
package org.omnispark.trainer.nn;
