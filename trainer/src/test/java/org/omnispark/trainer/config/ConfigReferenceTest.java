package org.omnispark.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.omnispark.data.job.PrepareConfig;
import org.omnispark.trainer.model.ModelDirectory;
import org.omnispark.trainer.model.TinyDatasets;

/**
 * docs/configuration.md documents exactly the keys the code has: the keys of the data, model and training config
 * records (as the strict loader reads them) against the first column of the page's tables. A key added to a
 * config record without a row, or a row left for a removed key, fails here.
 */
class ConfigReferenceTest {
    private static final Set<String> MAPS = Set.of("fbank", "text.normalizer"); // documented as "key.*"

    @Test
    void theReferencePageListsEveryKeyAndNoOther() throws Exception {
        Path root = TinyDatasets.repoRoot();
        Set<String> code = new TreeSet<>();
        keys("", ModelDirectory.configTree(PrepareConfig.defaults()), code);
        keys("", ModelDirectory.configTree(ModelConfig.load(root.resolve("conf/model/tiny_omni.yaml"), List.of())),
                code);
        keys("", ModelDirectory.configTree(TrainConfig.load(root.resolve("conf/train/default.yaml"), List.of())), code);
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9_.*]+)` \\|").matcher(
                Files.readString(root.resolve("docs/configuration.md")));
        while (m.find()) {
            documented.add(m.group(1).endsWith(".*") ? m.group(1).substring(0, m.group(1).length() - 2)
                    : m.group(1));
        }
        Set<String> undocumented = new TreeSet<>(code);
        undocumented.removeAll(documented);
        Set<String> stale = new TreeSet<>(documented);
        stale.removeAll(code);
        assertEquals(Set.of(), undocumented, "config keys without a row in docs/configuration.md");
        assertEquals(Set.of(), stale, "rows of docs/configuration.md for keys the code does not have");
    }

    private static void keys(String prefix, JsonNode node, Set<String> out) {
        String here = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
        if (node.isObject() && !MAPS.contains(here) && node.size() > 0) {
            node.fields().forEachRemaining(f -> keys(prefix + f.getKey() + ".", f.getValue(), out));
        } else {
            out.add(here);
        }
    }
}
