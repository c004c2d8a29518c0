package org.omnispark.data.job;

import static org.omnispark.data.job.FeatureDistance.line;
import static org.omnispark.data.job.FeatureDistance.meanAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.audio.Mp3Fixtures;
import org.omnispark.data.reader.Utterance;
import org.omnispark.data.tools.RequiredTools;

/**
 * One prepare job (local[2]) over the same two utterances as WAV (the sources the MP3 fixtures were encoded from),
 * FLAC (made from those WAVs by {@code flac}) and six MP3s ({@link Mp3Fixtures}: 8, 16, 22.05 and 44.1 kHz, mono and
 * stereo, CBR and VBR, ID3 tags, one without the LAME tag). Every row must be accepted, FLAC's features must equal
 * WAV's, and each MP3 row's features must be close to its WAV row's.
 *
 * <p>What "close" means: the features are 80 log mel energies (natural log). Both sides are floored at 40 dB below the
 * WAV utterance's loudest band energy (ln 10^4 = 9.2 below its maximum): under that lie the log of espeak-ng's digital
 * silence (-15.9, log of FLT_EPSILON) on one side and the codec's faint noise on the other, a difference that means
 * nothing for speech. The bins compared are those below the file's bandwidth: all 80 (up to 8 kHz) except for the
 * 8 kHz MP3, which has nothing above 4 kHz (its lowest 56 bins, up to 3.5 kHz). The mean absolute difference over
 * frames and bins must stay below {@value #MAX_MEAN_ABS_DIFF} (measured 0.014 to 0.264: 0.24 for 32 kbit/s CBR at
 * 16 kHz, 0.26 for 16 kbit/s at 8 kHz, 0.014 for VBR -q:a 2 at 44.1 kHz), i.e. the energies agree within a factor
 * e^0.35 = 1.4 on average; the same MP3 against the OTHER utterance's WAV differs by more than 3 times that, so the
 * bound tells speech from other speech. The MP3s with LAME's tag are gapless, so their frames line up with the WAV's
 * at lag 0 (checked within +-5 frames); the one without it starts late by the encoder and decoder delays (1105 samples
 * at 44.1 kHz, 2.5 frames), as in ffmpeg: it is compared at its best lag, 2, and, half a frame off, within
 * {@value #MAX_MEAN_ABS_DIFF_HALF_FRAME} (measured 0.39).
 */
class Mp3PrepareTest {
    static final double MAX_MEAN_ABS_DIFF = 0.35;
    static final double MAX_MEAN_ABS_DIFF_HALF_FRAME = 0.6;
    private static final double FLOOR_DB = 40;

    @Test
    void wavFlacAndMp3OfTheSameSpeechPrepareTogether(@TempDir Path tmp) throws Exception {
        RequiredTools.require("flac");
        List<String> lines = new ArrayList<>();
        for (String u : List.of("a_16k", "b_22k")) {
            Path wav = tmp.resolve("src_" + u + ".wav");
            Files.write(wav, Mp3Fixtures.bytes("src_" + u + ".wav"));
            Path flac = tmp.resolve("src_" + u + ".flac");
            RequiredTools.run("flac", "-s", "-f", "-o", flac.toString(), wav.toString());
            String text = u.startsWith("a") ? Mp3Fixtures.TEXT_A : Mp3Fixtures.TEXT_B;
            lines.add(line(u.charAt(0) + "-wav", wav, text));
            lines.add(line(u.charAt(0) + "-flac", flac, text));
        }
        for (String name : Mp3Fixtures.NAMES) {
            Path mp3 = tmp.resolve(name + ".mp3");
            Files.write(mp3, Mp3Fixtures.mp3(name));
            lines.add(line("mp3-" + name, mp3, Mp3Fixtures.text(name)));
        }
        Path manifest = tmp.resolve("mixed.jsonl");
        Files.write(manifest, lines);
        Path out = tmp.resolve("dataset");
        SparkSession spark = TestCorpora.spark();
        PrepareReport report;
        List<String> rejects = new ArrayList<>();
        try {
            report = PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest.toString()),
                    "output.num_shards=2", "filters.min_confidence=0")).setOutput(out.toString()).build().run();
            for (Row r : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
                rejects.add(r.getString(r.fieldIndex("key")) + ": " + r.getString(r.fieldIndex("reason")) + ": "
                        + r.getString(r.fieldIndex("detail")));
            }
        } finally {
            spark.stop();
        }
        assertEquals(lines.size(), report.inputRows(), report.summary());
        assertEquals(List.of(), rejects, "every row accepted: " + report.summary());
        assertEquals(lines.size(), report.acceptedRows(), report.summary());
        assertEquals(0, report.rejectedRows(), report.summary());
        Map<String, Utterance> rows = PreparedOutput.utterances(out);
        assertEquals(lines.size(), rows.size(), rows.keySet().toString());
        assertArrayEquals(rows.get("a-wav").features(), rows.get("a-flac").features(), "FLAC is lossless");
        assertArrayEquals(rows.get("b-wav").features(), rows.get("b-flac").features(), "FLAC is lossless");
        for (String name : Mp3Fixtures.NAMES) {
            Utterance mp3 = rows.get("mp3-" + name);
            Utterance wav = rows.get(name.charAt(0) + "-wav");
            boolean gapless = !name.contains("noxing");
            if (gapless && !name.startsWith("b_44k")) {
                assertEquals(wav.numFrames(), mp3.numFrames(), name + ": the same length as its source");
            }
            int bins = name.startsWith("a_8k") ? 56 : 80;
            int bestLag = 0;
            double best = Double.MAX_VALUE;
            for (int lag = -5; lag <= 5; lag++) {
                double d = meanAbsDiff(wav, mp3, lag, bins, FLOOR_DB);
                if (d < best) {
                    best = d;
                    bestLag = lag;
                }
            }
            double other = meanAbsDiff(rows.get((name.startsWith("a") ? "b" : "a") + "-wav"), mp3, bestLag,
                    bins, FLOOR_DB);
            System.out.printf("mp3 prepare %-28s %3d frames (wav %3d)  best lag %d  mean |diff| of %d log-mel bins,"
                    + " floor -%.0f dB: %.3f (against the other utterance: %.3f)%n", name, mp3.numFrames(),
                    wav.numFrames(), bestLag, bins, FLOOR_DB, best, other);
            assertEquals(gapless ? 0 : 2, bestLag, name + ": frames line up");
            assertTrue(best < (gapless ? MAX_MEAN_ABS_DIFF : MAX_MEAN_ABS_DIFF_HALF_FRAME), name + ": " + best);
            assertTrue(other > 3 * MAX_MEAN_ABS_DIFF, name + ": the other utterance differs by only " + other);
        }
    }
}
