/**
 * Mixture-of-Experts feed-forward core: Switch / Omni-router Transformer and U2++ MoE layers on DJL (PyTorch engine).
 *
 * <p>The split and vocabulary follow Megatron-Core:
 *
 * <ul>
 *   <li>{@link org.omnispark.trainer.moe.Router} ({@link org.omnispark.trainer.moe.TopKRouter}): gate logits
 *       {@code [T, E]} -&gt; probabilities -&gt; routing map and per-token expert weights {@code [T, k]}, Switch
 *       load-balancing loss, z-loss and gate-input jitter. The gate weight is its own object ({@link
 *       org.omnispark.trainer.moe.GateWeight}) so that one gate can serve every layer (Omni-router, {@link
 *       org.omnispark.trainer.moe.MoeRouting#shared}) or each layer has its own (Switch, {@link
 *       org.omnispark.trainer.moe.MoeRouting#perLayer}).
 *   <li>{@link org.omnispark.trainer.moe.TokenDispatcher} ({@link org.omnispark.trainer.moe.LocalTokenDispatcher}):
 *       permutes tokens into expert order, applies the capacity factor, and combines expert outputs back. It is the
 *       ONLY place where a distributed implementation communicates (all-to-all with input/output splits).
 *   <li>{@link org.omnispark.trainer.moe.Experts} ({@link org.omnispark.trainer.moe.SequentialExperts} reference,
 *       {@link org.omnispark.trainer.moe.GroupedExperts} batched): the expert FFNs, whose weights are stacked tensors
 *       {@code [E_local, ...]} so a rank can own a contiguous slice of experts.
 *   <li>{@link org.omnispark.trainer.moe.EveryExpertMixture}: for few tokens (a streaming chunk) the dispatch, the
 *       experts and the combine in ONE libtorch call: every local expert on every token, mixed by the routing
 *       weights (same function; chosen by token count, {@code ffn.every_expert_max_tokens}).
 *   <li>{@link org.omnispark.trainer.moe.MoeFeedForward} ties the three together; {@link
 *       org.omnispark.trainer.moe.DenseFeedForward} is the dense baseline.
 * </ul>
 *
 * <h2>Module convention for the trainer (read this before writing a layer)</h2>
 *
 * <p>The trainer does NOT use {@code ai.djl.nn.AbstractBlock}. A layer is a plain Java object that implements {@link
 * org.omnispark.trainer.nn.ParameterOwner} and has an explicit {@code forward(...)} method on {@link
 * ai.djl.ndarray.NDArray}s. Reasons: layers return several outputs (output plus auxiliary losses and routing
 * statistics), parameters must be shareable between layers (the Omni-router gate) and sliceable between ranks (experts),
 * and the backward pass must be runnable per thread with {@code JniUtils.backward} (several ranks in one JVM).
 *
 * <ol>
 *   <li><b>Parameters</b> are {@link org.omnispark.trainer.nn.ModelParameter}s: an NDArray with gradient attached,
 *       owned by the model's long-lived {@link ai.djl.ndarray.NDManager}, a name, and a flag saying whether it is an
 *       expert parameter (expert-parallel: excluded from the data-parallel all-reduce). Create them with {@link
 *       org.omnispark.trainer.nn.ModelParameter#uniform}; the initial values come from a seeded host RNG, so a model
 *       is reproducible independent of libtorch's global seed.
 *   <li><b>Collecting parameters</b> for the optimizer: {@link org.omnispark.trainer.nn.ParameterCollector#unique}
 *       deduplicates by identity, so a shared parameter is counted ONCE. Because it is one tensor used in several places
 *       of the graph, autograd sums the gradient contributions of all its uses.
 *   <li><b>Memory scope</b>: every temporary of a forward pass belongs to the manager of the INPUT tensor (a per-step
 *       sub-manager the caller closes after the optimizer step). Layer code therefore always writes the input first
 *       ({@code x.matMul(w)}, never {@code w.matMul(x)}), and takes slices of parameters with {@code
 *       w.get(x.getManager(), index)}, so nothing accumulates in the model's manager.
 *   <li><b>Grad mode</b> is per thread in libtorch. A training thread calls {@code Engine.getEngine("PyTorch")} once,
 *       then {@code JniUtils.setGradMode(true)} before the forward and {@code JniUtils.backward(loss, ones, false,
 *       false)} after it (or uses DJL's JVM-wide {@code GradientCollector} when there is only one training thread).
 *       Gradients accumulate: zero them with {@link org.omnispark.trainer.nn.ModelParameter#zeroGradient} after each
 *       step. Parameter updates happen with grad mode OFF.
 *   <li><b>Host scalars</b> in the graph go through {@link org.omnispark.trainer.nn.Scalars#mul} / {@link
 *       org.omnispark.trainer.nn.Scalars#div}, never DJL's {@code mul(Number)} / {@code div(Number)} (nor {@code
 *       pow}, {@code maximum}, {@code minimum} with a number) on an array that needs a gradient: DJL frees that
 *       scalar's memory right after the forward op while libtorch's backward still reads it (NaN or wrong gradients
 *       after a GC). {@code add} / {@code sub} of a number are safe (their backward keeps nothing).
 *   <li><b>Shapes</b> are documented in comments as {@code [T, d]} (T tokens, d model dimension, E experts, k choices
 *       per token, N routed rows). Weights are stored input-major ({@code [in, out]}), so a linear layer is {@code
 *       x.matMul(w)}; PyTorch's {@code nn.Linear.weight} is the transpose.
 *   <li><b>Configuration</b> is immutable records validated on construction, made with builders ({@code setX} for
 *       required values, {@code optX} for optional ones).
 * </ol>
 */
package org.omnispark.trainer.moe;

import org.omnispark.trainer.nn.ModelParameter;
import org.omnispark.trainer.nn.ParameterCollector;
import org.omnispark.trainer.nn.ParameterOwner;
