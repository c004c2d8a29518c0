package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.omnispark.data.ingest.JsonLinesManifest;
import org.omnispark.data.ingest.ManifestEntry;
import org.omnispark.data.ingest.ParsedLine;

/**
 * The per-utterance time budget: with a budget no real file can meet, every utterance is a TIMEOUT reject whose
 * detail names the key, the path and the settings; with the default budget the same utterances are accepted.
 */
class UtteranceTimeoutTest {
    @Test
    void anUtteranceOverItsBudgetIsATimeoutRejectNamingTheFile() throws Exception {
        Path corpus = TestCorpora.corpus(12, 5, 0.0);
        List<ManifestEntry> entries = new ArrayList<>();
        long line = 0;
        for (String l : Files.readAllLines(corpus.resolve("manifest.jsonl"))) {
            ParsedLine p = JsonLinesManifest.parse(l, corpus.toString(), line++);
            ManifestEntry e = p.entry();
            entries.add(new ManifestEntry(e.key(), corpus.resolve(e.audioPath()).toString(), e.text(), null, null,
                    null, null, 0, -1, e.source(), e.line()));
        }
        Map<String, Row> tight = process(entries, "audio.timeout_s=0.000001", "audio.timeout_per_mb_s=0",
                "audio.timeout_max_s=0.000001");
        Map<String, Row> normal = process(entries);
        for (ManifestEntry e : entries) {
            Row r = tight.get(e.key());
            assertEquals("TIMEOUT", r.getString(ProcessedRows.REJECT_REASON), e.key());
            String detail = r.getString(ProcessedRows.REJECT_REASON + 1);
            assertTrue(detail.contains(e.key()) && detail.contains(e.audioPath()) && detail.contains("audio.timeout_s"),
                    detail);
            assertTrue(normal.get(e.key()).isNullAt(ProcessedRows.REJECT_REASON), "accepted with the default budget");
        }
    }

    private static Map<String, Row> process(List<ManifestEntry> entries, String... overrides) {
        UtteranceProcessor p = UtteranceProcessor.forPartition(TestCorpora.recipe(TestCorpora.config(List.of(),
                overrides), entries));
        Map<String, Row> out = new LinkedHashMap<>();
        for (ManifestEntry e : entries) {
            out.put(e.key(), p.process(e).get(0));
        }
        return out;
    }
}
