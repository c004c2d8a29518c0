package org.omnispark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.tools.RequiredTools;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * submit/experiment_report.py (issue 11's tables) on hand-made runs whose statistics are known: per-utterance error
 * counts as the Java scorer writes them (utterances.tsv), mean and sample standard deviation over seeds, the out-of-domain average, the
 * relative change vs dense, and the paired bootstrap (a large consistent gap is beyond the noise, identical models
 * are not).
 */
class ExperimentReportScriptTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SETS = List.of("indomain", "ood1", "ood2");
    private static final int UTTERANCES = 10;

    @TempDir
    Path out;

    /** One run's eval of one set: every reference "a b c d"; {@code wrong[u]} words of utterance u substituted. */
    private void run(String model, int seed, String set, int[] wrong) throws IOException {
        Path dir = out.resolve("exp/" + model + "_s" + seed + "/eval/" + set);
        Files.createDirectories(dir.resolve("ctc_greedy"));
        List<String> refs = new ArrayList<>();
        List<String> hyps = new ArrayList<>();
        int errors = 0;
        for (int u = 0; u < UTTERANCES; u++) {
            String[] hyp = {"a", "b", "c", "d"};
            for (int w = 0; w < wrong[u]; w++) {
                hyp[w] = "x";
            }
            errors += wrong[u];
            refs.add("a b c d (utt" + u + ")");
            hyps.add(String.join(" ", hyp) + " (utt" + u + ")");
        }
        Files.write(dir.resolve("ctc_greedy/ref.trn"), refs);
        Files.write(dir.resolve("ctc_greedy/hyp.trn"), hyps);
        // eval writes the Java scorer's per-utterance counts beside the trn files; the report reads those
        org.omnispark.trainer.metrics.UtteranceCountsFile.write(dir.resolve("ctc_greedy/utterances.tsv"),
                org.omnispark.trainer.metrics.ErrorRateCalculator.sclite().score(
                        org.omnispark.trainer.metrics.TrnFile.read(dir.resolve("ctc_greedy/ref.trn")),
                        org.omnispark.trainer.metrics.TrnFile.read(dir.resolve("ctc_greedy/hyp.trn"))));
        ObjectNode report = JSON.createObjectNode();
        ObjectNode mode = report.putObject("modes").putObject("ctc_greedy");
        double rate = errors / (4.0 * UTTERANCES);
        mode.put("wer", rate).put("cer", rate).put("rtf", 0.01).put("context", "full context");
        mode.putObject("words").put("errors", errors).put("reference", 4 * UTTERANCES);
        Files.writeString(dir.resolve("report.json"), report.toString());
    }

    /** recipe.json of a 2-seed run of {@code steps} steps over {@link #SETS}. */
    private void writeRecipe(int steps) throws IOException {
        writeRecipe(steps, "");
    }

    /** As {@link #writeRecipe(int)}, trained on a mix with the domains {@code trainMix} (experiment.sh --train-mix). */
    private void writeRecipe(int steps, String trainMix) throws IOException {
        Files.writeString(out.resolve("recipe.json"), "{\"utterances\": 100, \"heldout\": 10, \"steps\": " + steps
                + ", \"seeds\": \"1 2\", \"models\": \"x\", \"sets\": \"" + String.join(" ", SETS)
                + "\", \"train_mix\": \"" + trainMix + "\", \"commit\": \"abc1234\"}");
    }

    /** Runs submit/experiment_report.py on {@link #out}; returns its output (it must exit 0). */
    private String runReport(int resamples) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        RequiredTools.check(Files.isExecutable(python), "/usr/bin/python3 runs the report (apt-get install python3)");
        Process p = new ProcessBuilder(python.toString(), TinyDatasets.repoRoot()
                .resolve("submit/experiment_report.py").toString(), out.toString(), "--bootstrap",
                Integer.toString(resamples)).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), log);
        return log;
    }

    private static int[] errorsAt(int utterance, int count) {
        int[] wrong = new int[UTTERANCES];
        if (utterance >= 0) {
            wrong[utterance] = count;
        }
        return wrong;
    }

    @Test
    void statisticsMatchHandComputedValues() throws Exception {
        writeRecipe(5);
        int[] oneWordEach = new int[UTTERANCES];
        java.util.Arrays.fill(oneWordEach, 1);
        for (int seed = 1; seed <= 2; seed++) {
            for (String set : SETS) {
                run("tiny_dense", seed, set, oneWordEach);               // WER 25% everywhere
                run("tiny_omni", seed, set, oneWordEach);                // identical to dense
                run("tiny_switch", seed, set, seed == 1 ? errorsAt(-1, 0) : errorsAt(3, 1)); // 0% / 2.5%
            }
        }
        String log = runReport(400);
        assertFalse(log.contains("note:"), "recomputed errors agree with report.json: " + log);

        JsonNode results = JSON.readTree(Files.readString(out.resolve("results.json")));
        JsonNode dense = results.get("models").get("tiny_dense");
        JsonNode switchModel = results.get("models").get("tiny_switch");
        assertEquals(0.25, dense.get("ood_wer").get(0).asDouble(), 1e-12);
        assertEquals(0.0, dense.get("ood_wer").get(1).asDouble(), 1e-12);
        assertEquals(0.0125, switchModel.get("ood_wer").get(0).asDouble(), 1e-12, "mean of 0 and 2.5%");
        assertEquals(0.025 / Math.sqrt(2), switchModel.get("ood_wer").get(1).asDouble(), 1e-12,
                "sample standard deviation of 0 and 2.5%");
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("| tiny_switch | 2 | ctc_greedy |") && md.contains("-95.0%"),
                "switch vs dense: (1.25 - 25) / 25: " + md);
        assertTrue(md.contains("abc1234"), "the commit is recorded");

        JsonNode switchVsDense = comparison(results, "tiny_switch", "tiny_dense");
        // pooled over 2 seeds x 2 OOD sets x 10 utterances x 4 words = 160 words: (2 - 40) / 160
        assertEquals(-38 / 160.0, switchVsDense.get("wer").get("difference").asDouble(), 1e-12);
        assertTrue(switchVsDense.get("wer").get("significant").asBoolean(), switchVsDense.toString());
        // Seed level: per-seed OOD WER differences -0.25 (seed 1: 0% vs 25%) and -0.225 (seed 2: 2.5% vs 25%)
        JsonNode seeds = switchVsDense.get("seed_level").get("wer");
        JsonNode t = seeds.get("t");
        assertEquals(-0.2375, t.get("mean").asDouble(), 1e-12);
        double se = 0.025 / Math.sqrt(2) / Math.sqrt(2); // sample sd of the two differences / sqrt(n)
        assertEquals(-0.2375 - 12.706 * se, t.get("ci95").get(0).asDouble(), 1e-12, "t(0.975, df 1) = 12.706");
        assertEquals(-0.2375 + 12.706 * se, t.get("ci95").get(1).asDouble(), 1e-12);
        assertEquals(2, t.get("agree").asInt());
        assertEquals((12.706 + 1.376) * se, t.get("detectable").asDouble(), 1e-12, "(t_0.975 + t_0.80) * se");
        JsonNode h = seeds.get("hierarchical");
        // mean over seeds of each seed's pooled rate: (0 - 20) / 80 and (2 - 20) / 80
        assertEquals(-0.2375, h.get("difference").asDouble(), 1e-12);
        assertTrue(h.get("ci95").get(1).asDouble() < 0, "every sentence favours switch or ties: " + h);
        assertTrue(seeds.get("significant").asBoolean(), seeds.toString());
        JsonNode omniVsDense = comparison(results, "tiny_omni", "tiny_dense");
        assertEquals(0, omniVsDense.get("wer").get("difference").asDouble(), 0);
        assertFalse(omniVsDense.get("wer").get("significant").asBoolean(), "identical models: " + omniVsDense);
        assertFalse(omniVsDense.get("seed_level").get("wer").get("significant").asBoolean(), omniVsDense.toString());
        assertEquals(0, omniVsDense.get("seed_level").get("wer").get("t").get("sd").asDouble(), 0);
        assertTrue(md.contains("Seed-level statistics (the verdicts)"), md);
        assertTrue(md.contains("not reproduced"), "Omni is not better than Switch here: " + md);
    }

    @Test
    void aDomainTrainedOnLeavesTheOutOfDomainAverage() throws Exception {
        writeRecipe(5, "ood1");
        int[] none = new int[UTTERANCES];
        int[] oneWordEach = new int[UTTERANCES];
        java.util.Arrays.fill(oneWordEach, 1);
        for (int seed = 1; seed <= 2; seed++) {
            for (String model : List.of("tiny_dense", "tiny_switch")) {
                run(model, seed, "indomain", none);
                run(model, seed, "ood1", model.equals("tiny_dense") ? oneWordEach : none); // trained on: not OOD
                run(model, seed, "ood2", none);
            }
        }
        runReport(100);
        JsonNode results = JSON.readTree(Files.readString(out.resolve("results.json")));
        assertEquals(0.0, results.get("models").get("tiny_dense").get("ood_wer").get(0).asDouble(), 0,
                "the OOD average is ood2's alone; ood1's 25% is in-domain now");
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("a labelled mix of espeak-ng and ood1") && md.contains("held-out domains only: ood2")
                && md.contains("--train-mix \"ood1\""), md);
    }

    /**
     * metrics.jsonl of one run: a training row every 20 steps to step 200 (ctc {@code early} up to step 100, then
     * {@code late}; att 0.5; moe_aux {@code aux} unless NaN) and validation rows at {@code validSteps}.
     */
    private void metrics(String model, int seed, double early, double late, double aux, int[] validSteps,
            double[] validCer, boolean resumed) throws IOException {
        List<String> rows = new ArrayList<>();
        for (int step = 20; step <= 200; step += 20) {
            ObjectNode r = JSON.createObjectNode().put("step", step).put("epoch", 0).put("loss", 9.9)
                    .put("ctc", step <= 100 ? early : late).put("att", 0.5);
            if (!Double.isNaN(aux)) {
                r.put(org.omnispark.trainer.model.Losses.MOE_AUX, aux); // as training logs it (the report reads "moe_aux")
            }
            rows.add(r.toString());
            if (resumed && step == 40) { // a resumed run logs steps again: the later row counts
                rows.add(r.put("ctc", 1000.0).toString());
                rows.add(r.put("ctc", early).toString());
            }
            for (int i = 0; i < validSteps.length; i++) {
                if (validSteps[i] == step) {
                    rows.add(JSON.createObjectNode().put("step", step).put("epoch", 0).put("valid_loss", 1.0)
                            .put("valid_cer", validCer[i]).put("valid_wer", 1.0).toString());
                }
            }
        }
        Files.write(out.resolve("exp/" + model + "_s" + seed + "/metrics.jsonl"), rows);
    }

    @Test
    void trainingCurvesAreAveragedOverWindowsThenSeeds() throws Exception {
        writeRecipe(200);
        int[] none = new int[UTTERANCES];
        for (int seed = 1; seed <= 2; seed++) {
            for (String set : SETS) {
                run("tiny_dense", seed, set, none);
            }
        }
        run("tiny_switch", 1, "indomain", none);
        metrics("tiny_dense", 1, 2.0, 1.0, Double.NaN, new int[] {100, 200}, new double[] {0.5, 0.3}, false);
        metrics("tiny_dense", 2, 4.0, 3.0, Double.NaN, new int[] {100, 200}, new double[] {0.7, 0.5}, true);
        metrics("tiny_switch", 1, 2.0, 1.5, 0.01, new int[] {200}, new double[] {0.25}, false);
        runReport(100);

        JsonNode curves = JSON.readTree(Files.readString(out.resolve("results.json"))).get("curves");
        JsonNode dense = curves.get("tiny_dense");
        assertEquals(200, dense.get("window_end").asInt(), "the last 100-step window: steps 101-200");
        assertEquals(2.0, dense.get("ctc").get(0).asDouble(), 1e-12, "mean over seeds of 1.0 and 3.0");
        assertEquals(Math.sqrt(2), dense.get("ctc").get(1).asDouble(), 1e-12, "their sample standard deviation");
        assertEquals(0.5, dense.get("att").get(0).asDouble(), 1e-12);
        assertFalse(dense.has("moe_aux"), "the dense runs log no auxiliary loss");
        JsonNode switchModel = curves.get("tiny_switch");
        assertEquals(1, switchModel.get("seeds").asInt());
        assertEquals(0.01, switchModel.get("moe_aux").get(0).asDouble(), 1e-12);
        // validation steps common to every model of the family: 200 only (switch did not validate at 100)
        assertEquals(0.4, dense.get("valid_cer").get("200").asDouble(), 1e-12, "mean of 0.3 and 0.5");
        assertFalse(dense.get("valid_cer").has("100"));
        assertEquals(0.25, switchModel.get("valid_cer").get("200").asDouble(), 1e-12);
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("| tiny_dense | 2 | 200 | 2.000 ± 1.414 | 0.500 ± 0.000 | - | 40.0 |"), md);
        String ctcChart = Files.readString(out.resolve("plots/tiny_ctc.svg"));
        assertTrue(ctcChart.contains("tiny_dense") && ctcChart.contains("tiny_switch") && ctcChart.contains("<polyline"),
                ctcChart);
        assertTrue(Files.exists(out.resolve("plots/tiny_valid_cer.svg")) && md.contains("plots/tiny_moe_aux.svg"));
    }

    private static JsonNode comparison(JsonNode results, String a, String b) {
        for (JsonNode c : results.get("comparisons")) {
            if (c.get("a").asText().equals(a) && c.get("b").asText().equals(b)) {
                return c;
            }
        }
        throw new AssertionError("no comparison " + a + " vs " + b + " in " + results.get("comparisons"));
    }
}
