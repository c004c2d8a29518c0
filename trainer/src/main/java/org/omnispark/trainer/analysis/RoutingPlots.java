package org.omnispark.trainer.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes the standard heatmaps of a {@link RoutingReport} (see {@link #writeAll}). */
public final class RoutingPlots {

    private RoutingPlots() {}

    /**
     * Writes into {@code dir} (created if missing):
     *
     * <ul>
     *   <li>{@code usage.png}: layers x experts, usage fractions over all k choices, scale 0 .. the largest fraction;
     *   <li>{@code agreement.png}: layers x layers, fraction of tokens with the same top-1 expert, scale 0 .. 1;
     *   <li>{@code matched_agreement.png}: layers x layers, agreement after the best one-to-one expert relabeling
     *       (label-free), scale 0 .. 1;
     *   <li>{@code nmi.png}: layers x layers, normalized mutual information of the top-1 choices, scale 0 .. 1;
     *   <li>{@code cond_L{i}_L{j}.png} for each adjacent pair j = i + 1: P(expert in layer j | expert in layer i),
     *       rows = expert in layer i, scale 0 .. 1 (an all-zero row: layer i never chose that expert).
     * </ul>
     *
     * @param report the report to draw
     * @param dir output folder
     * @return the files written, in the order above
     */
    public static List<Path> writeAll(RoutingReport report, Path dir) {
        List<Path> written = new ArrayList<>();
        String tokens = " (" + report.tokens() + " tokens)";
        double maxUsage = 0;
        for (double[] row : report.usage()) {
            for (double v : row) {
                maxUsage = Math.max(maxUsage, v);
            }
        }
        written.add(write(dir.resolve("usage.png"), report.usage(), "Expert usage" + tokens, "MoE layer", "expert",
                0, maxUsage > 0 ? maxUsage : 1));
        written.add(write(dir.resolve("agreement.png"), report.agreement(), "Top-1 agreement" + tokens, "layer i",
                "layer j", 0, 1));
        written.add(write(dir.resolve("matched_agreement.png"), report.matchedAgreement(),
                "Top-1 agreement after the best expert matching" + tokens, "layer i", "layer j", 0, 1));
        written.add(write(dir.resolve("nmi.png"), report.nmi(), "Normalized mutual information" + tokens, "layer i",
                "layer j", 0, 1));
        for (int i = 0; i + 1 < report.layers(); i++) {
            int j = i + 1;
            written.add(write(dir.resolve("cond_L" + i + "_L" + j + ".png"), report.conditional(i, j),
                    "P(expert in layer " + j + " | expert in layer " + i + ")", "expert in layer " + i,
                    "expert in layer " + j, 0, 1));
        }
        return written;
    }

    private static Path write(Path file, double[][] values, String title, String rowLabel, String colLabel,
            double vmin, double vmax) {
        HeatmapWriter.write(file, values, title, rowLabel, colLabel, vmin, vmax);
        return file;
    }
}
