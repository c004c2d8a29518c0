package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.DatasetManifest;
import org.omnispark.data.reader.ShardReader;
import org.omnispark.data.reader.Utterance;

/** A Kaldi data directory (wav.scp, text, segments, utt2spk) as input. */
class KaldiDataDirJobTest {
    @Test
    void kaldiDirectoryWithSegmentsIsPrepared(@TempDir Path tmp) throws IOException {
        Path corpus = TestCorpora.corpus(12, 5, 0.0);
        List<JsonNode> rows = new ArrayList<>(TestCorpora.truth(corpus).values());
        Path dir = tmp.resolve("kaldi");
        Files.createDirectories(dir);
        List<String> wavScp = new ArrayList<>();
        List<String> text = new ArrayList<>();
        List<String> segments = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode r = rows.get(i);
            wavScp.add("rec" + i + " " + corpus.resolve(r.get("audio_filepath").asText()));
            text.add("utt" + i + " " + r.get("label").asText().toUpperCase());
            segments.add("utt" + i + " rec" + i + " 0.00 -1");
        }
        // Two segments of one recording, a recording without audio, and a piped entry.
        text.add("utt0b the box");
        segments.add("utt0b rec0 0.10 0.90");
        text.add("utt-lost the box");
        segments.add("utt-lost rec-lost 0 1");
        wavScp.add("rec-pipe sox x.flac -t wav - |");
        text.add("utt-pipe the box");
        segments.add("utt-pipe rec-pipe 0 1");
        Files.write(dir.resolve("wav.scp"), wavScp);
        Files.write(dir.resolve("text"), text);
        Files.write(dir.resolve("segments"), segments);
        Path out = tmp.resolve("out");
        try (SparkSession spark = TestCorpora.spark()) {
            PrepareReport report = PrepareJob.builder().setSpark(spark)
                    .setConfig(TestCorpora.config(List.of(dir.toString()), "output.num_shards=2"))
                    .setOutput(out.toString()).build().run();
            assertEquals(7, report.inputRows(), "7 lines in text");
            assertEquals(5, report.acceptedRows(), report.summary());
            Map<String, String> rejects = new TreeMap<>();
            for (Row r : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
                rejects.put(r.getString(0), r.getString(1));
            }
            assertEquals(Map.of("utt-lost", "MISSING_AUDIO", "utt-pipe", "UNSUPPORTED_AUDIO"), rejects);
        }
        Map<String, Utterance> byKey = new TreeMap<>();
        for (DatasetManifest.ShardInfo s : DatasetManifest.read(out).shards()) {
            try (ShardReader r = ShardReader.open(out.resolve(s.path()))) {
                r.forEachRemaining(u -> byKey.put(u.key(), u));
            }
        }
        // The 0.10..0.90 segment: 0.8 s = 12800 samples at 16 kHz.
        assertEquals(0.8, byKey.get("utt0b").duration(), 1e-9, "segment duration");
        assertEquals(rows.get(0).get("label").asText(), byKey.get("utt0").text(), "normalized (lowercased) text");
    }
}
