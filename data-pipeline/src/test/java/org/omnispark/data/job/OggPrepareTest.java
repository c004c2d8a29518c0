package org.omnispark.data.job;

import static org.omnispark.data.job.FeatureDistance.line;
import static org.omnispark.data.job.FeatureDistance.meanAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.omnispark.data.audio.Mp3Fixtures;
import org.omnispark.data.audio.OggFixtures;
import org.omnispark.data.audio.WebmFixtures;
import org.omnispark.data.reader.Utterance;
import org.omnispark.data.tools.RequiredTools;

/**
 * One prepare job (local[2]) over the same two utterances as WAV (the sources the Ogg fixtures were encoded from),
 * four Ogg Opus files ({@link OggFixtures}: 12 to 64 kbit/s, mono and stereo, decoded at 48 kHz and resampled to 16 kHz
 * by the job), the same kind of Opus streams in WebM and Matroska ({@link WebmFixtures}), and one Vorbis stream in Ogg
 * and in WebM (decoded by ffmpeg, audio.external_decoder). Every row is accepted.
 *
 * <p>Tolerance, as in Mp3PrepareTest: 80 log mel energies (natural log), both sides floored at 40 dB below the WAV
 * utterance's loudest band; the mean absolute difference over frames and bins must stay below
 * {@value #MAX_MEAN_ABS_DIFF} (the energies agree within a factor e^0.4 = 1.5 on average; measured 0.029 for 64 kbit/s
 * stereo CELT, 0.125 for 32 kbit/s, 0.194 for 24 kbit/s mono, 0.325 for 12 kbit/s SILK voip, 0.111 for Vorbis -q 3 in
 * Ogg and WebM alike, the WebM/Matroska Opus rows as their Ogg twins, printed by the test) at
 * lag 0 (checked within +-5 frames: pre-skip is trimmed, so Opus is gapless), while the same Opus row against the
 * OTHER utterance's WAV differs by more than 3 times that. The mono files must have as many frames as their WAV; the
 * stereo ones hold only the first 0.6 s and are compared over the frames they have.
 */
class OggPrepareTest {
    static final double MAX_MEAN_ABS_DIFF = 0.4;
    private static final double FLOOR_DB = 40;

    @Test
    void wavOpusAndVorbisOfTheSameSpeechPrepareTogether(@TempDir Path tmp) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String u : List.of("a_16k", "b_22k")) {
            Path wav = tmp.resolve("src_" + u + ".wav");
            Files.write(wav, OggFixtures.bytes("src_" + u + ".wav"));
            lines.add(line(u.charAt(0) + "-wav", wav, u.startsWith("a") ? Mp3Fixtures.TEXT_A : Mp3Fixtures.TEXT_B));
        }
        for (String name : OggFixtures.OPUS) {
            Path opus = tmp.resolve(name + ".opus");
            Files.write(opus, OggFixtures.opus(name));
            lines.add(line("opus-" + name, opus, OggFixtures.text(name)));
        }
        // the same kind of streams in Matroska/WebM, and Vorbis (Ogg, WebM) decoded by ffmpeg
        Map<String, String> coded = new TreeMap<>();
        for (String name : OggFixtures.OPUS) {
            coded.put("opus-" + name, name);
        }
        for (String file : WebmFixtures.OPUS) {
            Path webm = tmp.resolve(file);
            Files.write(webm, WebmFixtures.bytes(file));
            lines.add(line("webm-" + file, webm, OggFixtures.text(file)));
            coded.put("webm-" + file, file);
        }
        RequiredTools.require("ffmpeg");
        Path vorbis = tmp.resolve(OggFixtures.VORBIS);
        Files.write(vorbis, OggFixtures.bytes(OggFixtures.VORBIS));
        lines.add(line("vorbis-ogg", vorbis, Mp3Fixtures.TEXT_A));
        coded.put("vorbis-ogg", OggFixtures.VORBIS);
        Path vorbisWebm = tmp.resolve(WebmFixtures.VORBIS);
        Files.write(vorbisWebm, WebmFixtures.bytes(WebmFixtures.VORBIS));
        lines.add(line("vorbis-webm", vorbisWebm, Mp3Fixtures.TEXT_A));
        coded.put("vorbis-webm", WebmFixtures.VORBIS);
        Path manifest = tmp.resolve("mixed.jsonl");
        Files.write(manifest, lines);
        Path out = tmp.resolve("dataset");
        SparkSession spark = TestCorpora.spark();
        PrepareReport report;
        Map<String, String> rejects = new TreeMap<>();
        try {
            report = PrepareJob.builder().setSpark(spark).setConfig(TestCorpora.config(List.of(manifest.toString()),
                    "output.num_shards=2", "filters.min_confidence=0")).setOutput(out.toString()).build().run();
            for (Row r : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
                rejects.put(r.getString(r.fieldIndex("key")), r.getString(r.fieldIndex("reason")) + ": "
                        + r.getString(r.fieldIndex("detail")));
            }
        } finally {
            spark.stop();
        }
        assertEquals(lines.size(), report.inputRows(), report.summary());
        assertEquals(Map.of(), rejects, "nothing rejected");
        assertEquals(lines.size(), report.acceptedRows(), report.summary());
        Map<String, Utterance> rows = PreparedOutput.utterances(out);
        assertEquals(lines.size(), rows.size(), rows.keySet().toString());
        for (Map.Entry<String, String> c : coded.entrySet()) {
            String name = c.getValue();
            Utterance opus = rows.get(c.getKey());
            Utterance wav = rows.get(name.charAt(0) + "-wav");
            if (name.startsWith("a_")) {
                assertEquals(wav.numFrames(), opus.numFrames(), name + ": the same length as its source");
            }
            int bestLag = 0;
            double best = Double.MAX_VALUE;
            for (int lag = -5; lag <= 5; lag++) {
                double d = meanAbsDiff(wav, opus, lag, wav.featureDim(), FLOOR_DB);
                if (d < best) {
                    best = d;
                    bestLag = lag;
                }
            }
            double other = meanAbsDiff(rows.get((name.startsWith("a") ? "b" : "a") + "-wav"), opus,
                    bestLag, rows.get("a-wav").featureDim(), FLOOR_DB);
            System.out.printf("prepare %-35s %3d frames (wav %3d)  best lag %d  mean |diff| of 80 log-mel bins,"
                    + " floor -%.0f dB: %.3f (against the other utterance: %.3f)%n", c.getKey(), opus.numFrames(),
                    wav.numFrames(), bestLag, FLOOR_DB, best, other);
            assertEquals(0, bestLag, name + ": frames line up");
            assertTrue(best < MAX_MEAN_ABS_DIFF, name + ": " + best);
            assertTrue(other > 3 * MAX_MEAN_ABS_DIFF, name + ": the other utterance differs by only " + other);
        }
    }
}
