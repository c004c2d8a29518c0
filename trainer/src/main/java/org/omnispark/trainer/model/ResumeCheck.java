package org.omnispark.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.omnispark.io.Location;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses to continue a model folder with a run that would not be the same training: a resumed run restores the
 * checkpoint's parameters, optimizer state and batch position, which only mean something for the same model, the
 * same training data and the same batch plan. Settings that may change between runs (max_steps, max_epochs,
 * intervals, checkpoint keep, device, expert_parallel.size: checkpoints reshard) are not compared.
 */
final class ResumeCheck {
    /** The train_config keys that fix the model, the optimizer state's meaning and the order of the batches. */
    private static final List<String> FIXED_TRAIN_KEYS = List.of("batch", "seed", "accum_grad", "optim", "betas",
            "eps", "dtype");

    private ResumeCheck() {
    }

    /**
     * Throws IllegalStateException naming every difference between the folder's model.json ({@code existing}) and
     * the new run's ({@code fresh}), with the ways out.
     */
    static void requireSameTraining(Location dir, JsonNode existing, JsonNode fresh) {
        List<String> differences = new ArrayList<>();
        compare("model", existing.path("model_config"), fresh.path("model_config"), differences);
        for (String key : FIXED_TRAIN_KEYS) {
            compare("train." + key, existing.path("train_config").path(key), fresh.path("train_config").path(key),
                    differences);
        }
        compare("training data", existing.path("train_data"), fresh.path("train_data"), differences);
        if (existing.has("train_data_fingerprint")) {
            compare("training data contents (rows, frames, shards of dataset.json)",
                    existing.path("train_data_fingerprint"), fresh.path("train_data_fingerprint"), differences);
        }
        if (!differences.isEmpty()) {
            throw new IllegalStateException(dir + " holds a model trained with other settings, so this run cannot"
                    + " resume it:\n  " + String.join("\n  ", differences) + "\nPass the same model config, data"
                    + " and batch settings to continue it, or choose a new --out to start another model (or delete "
                    + dir + " to start this one over).");
        }
    }

    /** Adds one line per leaf that differs, as "what.key: folder has A, this run has B". */
    private static void compare(String what, JsonNode a, JsonNode b, List<String> out) {
        if (a.equals(b) || (a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0)) {
            return; // 777 read from a file is an int node, 777 from a Long field a long node
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                compare(what + "[" + i + "]", a.get(i), b.get(i), out);
            }
            return;
        }
        if (a.isObject() && b.isObject()) {
            java.util.Set<String> keys = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                compare(what + "." + k, a.path(k), b.path(k), out);
            }
            return;
        }
        out.add(what + ": the folder's model.json has " + (a.isMissingNode() ? "nothing" : a) + ", this run has "
                + (b.isMissingNode() ? "nothing" : b));
    }
}
