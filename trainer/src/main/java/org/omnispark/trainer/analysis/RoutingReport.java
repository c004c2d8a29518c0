package org.omnispark.trainer.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The routing analysis of an MoE model over a set of tokens, computed by {@link RoutingStatistics#report()}; the
 * formulas are in {@link RoutingMeasures}. Immutable by convention: the arrays are not copied, do not change them.
 *
 * <p>JSON ({@link #toJson()}, snake_case keys): {@code layers, experts, tokens, usage [L][E] (fractions over all k
 * choices), usage_counts [L][E], top1_counts [L][E], conditional [L][L][E][E] (conditional[i][j][a][b] = P(top-1
 * expert b in layer j | top-1 expert a in layer i)), agreement [L][L], matched_agreement [L][L], nmi [L][L], entropy [L] (nats), max_entropy (ln
 * E), cv [L], notes} where {@code notes} explains each field in words.
 *
 * @param layers L, the number of MoE layers
 * @param experts E, the number of experts per layer
 * @param tokens valid tokens counted
 * @param usageCounts {@code [L][E]} (token, choice) assignments per expert, all k choices
 * @param usage {@code [L][E]} usageCounts divided by the layer's total (rows sum to 1, or 0 without tokens)
 * @param top1Counts {@code [L][E]} tokens whose first choice is the expert
 * @param conditional {@code [L][L][E][E]} row-normalized top-1 co-occurrence; a row whose expert got no top-1 token
 *     is all zero
 * @param agreement {@code [L][L]} fraction of tokens with the same top-1 expert index in both layers
 * @param matchedAgreement {@code [L][L]} agreement after the best one-to-one relabeling of layer j's experts
 *     ({@link ExpertMatching}): label-free, comparable between Switch and Omni-router models
 * @param nmi {@code [L][L]} normalized mutual information of the top-1 choices of two layers
 * @param entropy {@code [L]} entropy of the usage fractions, nats
 * @param cv {@code [L]} coefficient of variation (std / mean) of the usage counts over experts
 */
public record RoutingReport(
        int layers,
        int experts,
        long tokens,
        long[][] usageCounts,
        double[][] usage,
        long[][] top1Counts,
        double[][][][] conditional,
        double[][] agreement,
        double[][] matchedAgreement,
        double[][] nmi,
        double[] entropy,
        double[] cv) {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Validates the shapes. */
    public RoutingReport {
        if (layers < 1 || experts < 1 || tokens < 0) {
            throw new IllegalArgumentException("need layers >= 1, experts >= 1, tokens >= 0; got " + layers + ", "
                    + experts + ", " + tokens);
        }
        checkShape("usage_counts", usageCounts.length, usageCounts[0].length, layers, experts);
        checkShape("usage", usage.length, usage[0].length, layers, experts);
        checkShape("top1_counts", top1Counts.length, top1Counts[0].length, layers, experts);
        checkShape("conditional", conditional.length, conditional[0].length, layers, layers);
        checkShape("conditional[0][0]", conditional[0][0].length, conditional[0][0][0].length, experts, experts);
        checkShape("agreement", agreement.length, agreement[0].length, layers, layers);
        checkShape("matched_agreement", matchedAgreement.length, matchedAgreement[0].length, layers, layers);
        checkShape("nmi", nmi.length, nmi[0].length, layers, layers);
        checkShape("entropy", entropy.length, 1, layers, 1);
        checkShape("cv", cv.length, 1, layers, 1);
    }

    private static void checkShape(String name, int rows, int cols, int wantRows, int wantCols) {
        if (rows != wantRows || cols != wantCols) {
            throw new IllegalArgumentException(name + " is [" + rows + ", " + cols + "] but must be [" + wantRows
                    + ", " + wantCols + "] for " + "the report's layers and experts");
        }
    }

    /**
     * @param i row layer
     * @param j column layer
     * @return {@code P(b | a)} {@code [E][E]}, a = top-1 expert in layer i, b = top-1 expert in layer j
     */
    public double[][] conditional(int i, int j) {
        return conditional[i][j];
    }

    /** @return the report as pretty-printed JSON with snake_case keys */
    public String toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("layers", layers);
        root.put("experts", experts);
        root.put("tokens", tokens);
        root.set("usage", MAPPER.valueToTree(usage));
        root.set("usage_counts", MAPPER.valueToTree(usageCounts));
        root.set("top1_counts", MAPPER.valueToTree(top1Counts));
        root.set("conditional", MAPPER.valueToTree(conditional));
        root.set("agreement", MAPPER.valueToTree(agreement));
        root.set("matched_agreement", MAPPER.valueToTree(matchedAgreement));
        root.set("nmi", MAPPER.valueToTree(nmi));
        root.set("entropy", MAPPER.valueToTree(entropy));
        root.put("max_entropy", Math.log(experts));
        root.set("cv", MAPPER.valueToTree(cv));
        ObjectNode notes = root.putObject("notes");
        notes.put("tokens", "valid (non-padding) tokens counted; padding tokens are ignored everywhere");
        notes.put("usage", "usage[l][e] = share of all k choices of layer l that went to expert e");
        notes.put("conditional", "conditional[i][j][a][b] = P(top-1 expert b in layer j | top-1 expert a in layer i);"
                + " a row whose expert a received no top-1 token in layer i is all zero (see top1_counts)");
        notes.put("agreement", "agreement[i][j] = fraction of tokens whose top-1 expert index is the same in layers i"
                + " and j (meaningful for the Omni-router, whose layers share the gate and hence expert indexing)");
        notes.put("matched_agreement", "matched_agreement[i][j] = agreement after relabeling layer j's experts by the"
                + " one-to-one pairing that maximizes it (Hungarian algorithm): label-free, so Switch and Omni compare");
        notes.put("nmi", "nmi[i][j] = 2 I(X_i; X_j) / (H(X_i) + H(X_j)) of the top-1 choices; 1 when both layers are"
                + " constant, 0 without tokens");
        notes.put("entropy", "entropy of usage[l] in nats; max_entropy = ln(experts) for uniform usage");
        notes.put("cv", "population std / mean of usage_counts[l] over experts; 0 = perfectly balanced");
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not serialize the routing report", e);
        }
    }

    /**
     * Writes {@link #toJson()} to a file.
     *
     * @param file destination; parent folders are created
     */
    public void writeJson(Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the routing report to " + file, e);
        }
    }

    /**
     * Reads a report written by {@link #toJson()} (for plotting a saved report).
     *
     * @param json the JSON text
     * @return the report
     */
    public static RoutingReport fromJson(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            long[][] top1 = MAPPER.treeToValue(field(n, "top1_counts"), long[][].class);
            double[][][][] conditional = MAPPER.treeToValue(field(n, "conditional"), double[][][][].class);
            JsonNode matched = n.get("matched_agreement");
            return new RoutingReport(
                    field(n, "layers").asInt(),
                    field(n, "experts").asInt(),
                    field(n, "tokens").asLong(),
                    MAPPER.treeToValue(field(n, "usage_counts"), long[][].class),
                    MAPPER.treeToValue(field(n, "usage"), double[][].class),
                    top1,
                    conditional,
                    MAPPER.treeToValue(field(n, "agreement"), double[][].class),
                    matched != null ? MAPPER.treeToValue(matched, double[][].class)
                            : matchedFromConditional(top1, conditional),
                    MAPPER.treeToValue(field(n, "nmi"), double[][].class),
                    MAPPER.treeToValue(field(n, "entropy"), double[].class),
                    MAPPER.treeToValue(field(n, "cv"), double[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a routing report written by RoutingReport.toJson(): "
                    + e.getMessage(), e);
        }
    }

    /** For reports written before matched_agreement existed: joint counts = conditional x top-1 counts. */
    private static double[][] matchedFromConditional(long[][] top1, double[][][][] conditional) {
        int layers = top1.length;
        double[][] out = new double[layers][layers];
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < layers; j++) {
                int experts = top1[i].length;
                long[][] joint = new long[experts][experts];
                for (int a = 0; a < experts; a++) {
                    for (int b = 0; b < experts; b++) {
                        joint[a][b] = Math.round(conditional[i][j][a][b] * top1[i][a]);
                    }
                }
                out[i][j] = ExpertMatching.matchedAgreement(joint);
            }
        }
        return out;
    }

    private static JsonNode field(JsonNode root, String name) {
        JsonNode n = root.get(name);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("the routing report JSON has no \"" + name + "\"; write it with"
                    + " RoutingReport.toJson()");
        }
        return n;
    }
}
