/**
 * The assembled U2++ model: {@link org.omnispark.trainer.model.U2Model} (global CMVN, SpecAugment, a Conformer or
 * Transformer encoder whose feed-forward layers are dense, Switch MoE or Omni-router MoE, the CTC head and a
 * (bi)directional attention decoder) and the batch types that feed it ({@link org.omnispark.trainer.model.Batch},
 * {@link org.omnispark.trainer.model.BatchCollator}).
 *
 * <p>The model follows the layer convention of {@code org.omnispark.trainer.moe}: parameters live in the model's
 * long-lived manager, every temporary of a forward pass in the manager of the batch (a per-step sub-manager the
 * caller closes), grad mode is the caller's business.
 */
package org.omnispark.trainer.model;
