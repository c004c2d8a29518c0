/**
 * Routing analysis of MoE models ("structured expert usage", as in the Omni-router Transformer paper): how the
 * experts of each MoE layer are used and how the top-1 choices of different layers depend on each other.
 *
 * <ul>
 *   <li>{@link org.omnispark.trainer.analysis.RoutingStatistics}: a thread-confined accumulator of exact counts
 *       (usage per layer and expert, top-1 co-occurrence per ordered layer pair), fed with the {@link
 *       org.omnispark.trainer.moe.RoutingResult}s of every MoE layer of a batch and mergeable across ranks/threads.
 *   <li>{@link org.omnispark.trainer.analysis.RoutingReport}: the derived numbers (usage fractions, conditional
 *       distributions, agreement, normalized mutual information, usage entropy, load coefficient of variation) and
 *       their snake_case JSON; formulas in {@link org.omnispark.trainer.analysis.RoutingMeasures}.
 *   <li>{@link org.omnispark.trainer.analysis.HeatmapWriter} / {@link org.omnispark.trainer.analysis.RoutingPlots}:
 *       headless PNG heatmaps (java.awt + ImageIO, no plotting dependency).
 * </ul>
 *
 * <p>Typical use: {@code stats.add(layers.stream().map(MoeOutput::routing).toList())} per evaluation batch, then
 * {@code RoutingReport r = stats.report(); r.writeJson(dir.resolve("routing.json")); RoutingPlots.writeAll(r,
 * dir);}.
 */
package org.omnispark.trainer.analysis;
