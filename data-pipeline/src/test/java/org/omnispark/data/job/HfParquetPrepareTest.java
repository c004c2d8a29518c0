package org.omnispark.data.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.reader.Utterance;

/**
 * A prepare job (local[2]) over the Hugging Face Parquet fixture ({@code hf/make_hf_fixture.py}, written by the
 * {@code datasets} library), named by a glob with {@code input.manifest_format=hf_parquet}. Every row of both files
 * ends in exactly one place, by key: WAV, FLAC, MP3, Ogg Opus and 22 kHz stereo MP3 bytes and a path-only row are
 * shard rows; damaged bytes (CORRUPT_AUDIO), a null transcript (MALFORMED_MANIFEST_LINE) and a row without audio
 * (MISSING_AUDIO) are rejects. The embedded WAV and the path-only copy of the same file give identical features; the
 * MP3 and Opus codings of utterance "a" are within the tolerances of Mp3PrepareTest and OggPrepareTest of its WAV.
 */
class HfParquetPrepareTest {
    private static final Path DATA = Path.of("src/test/resources/hf/data").toAbsolutePath();
    static final String CV = "train-00000-of-00002.parquet#";

    @Test
    void everyRowOfTwoParquetFilesEndsInOnePlace(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("dataset");
        SparkSession spark = TestCorpora.spark();
        PrepareReport report;
        Map<String, String> rejects = new TreeMap<>();
        try {
            report = PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(
                    List.of(DATA + "/train-*.parquet"), "input.manifest_format=hf_parquet", "output.num_shards=2",
                    "filters.min_confidence=0")).setOutput(out.toString()).build().run();
            for (Row r : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
                rejects.put(r.getString(r.fieldIndex("key")), r.getString(r.fieldIndex("reason")) + " @"
                        + r.getString(r.fieldIndex("source")).replaceAll(".*/", "") + ":" + r.getLong(
                        r.fieldIndex("line")) + ": " + r.getString(r.fieldIndex("detail")));
            }
        } finally {
            spark.stop();
        }
        Map<String, Utterance> rows = PreparedOutput.utterances(out);
        assertEquals(10, report.inputRows(), report.summary());
        assertEquals(List.of("POD0001_S3", CV + "5", CV + "6"), List.copyOf(rejects.keySet()), rejects.toString());
        assertTrue(rejects.get(CV + "5").startsWith("CORRUPT_AUDIO @train-00000-of-00002.parquet:5"),
                rejects.toString());
        assertTrue(rejects.get(CV + "6").startsWith("MALFORMED_MANIFEST_LINE @train-00000-of-00002.parquet:6: no text column (one of "
                + "[text, txt, transcript, transcription, sentence"),
                rejects.toString());
        assertTrue(rejects.get("POD0001_S3").startsWith("MISSING_AUDIO @train-00001-of-00002.parquet:2"),
                rejects.toString());
        assertEquals(List.of("POD0001_S1", "POD0001_S2", CV + "0", CV + "1", CV + "2", CV + "3", CV + "4"),
                List.copyOf(rows.keySet()));
        assertEquals(7, report.acceptedRows(), report.summary());
        assertEquals(3, report.rejectedRows(), report.summary());

        Utterance embedded = rows.get(CV + "0");
        Utterance pathOnly = rows.get(CV + "4");
        assertEquals(embedded.numFrames(), pathOnly.numFrames());
        assertArrayEquals(embedded.features(), pathOnly.features(), "the same WAV, embedded or named by path");

        Utterance wavA = rows.get("POD0001_S1");
        double mp3 = FeatureDistance.meanAbsDiff(wavA, rows.get(CV + "2"), 0, wavA.featureDim(), 40);
        double opus = FeatureDistance.meanAbsDiff(wavA, rows.get(CV + "3"), 0, wavA.featureDim(), 40);
        System.out.printf("hf parquet: mean |diff| of log-mel against the WAV: mp3 %.3f, opus %.3f%n", mp3, opus);
        assertTrue(mp3 < Mp3PrepareTest.MAX_MEAN_ABS_DIFF, "mp3 " + mp3);
        assertTrue(opus < OggPrepareTest.MAX_MEAN_ABS_DIFF, "opus " + opus);
        assertEquals(wavA.numFrames(), rows.get(CV + "2").numFrames(), "a gapless MP3 keeps its source's length");
    }
}
