package org.omnispark.data.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.audio.AudioDecoder;
import org.omnispark.data.features.Fbank;
import org.omnispark.data.features.FbankOptions;

/** The SQL functions over real files read with Spark's binaryFile source. */
class OmniSparkFunctionsTest {
    /** A 16-bit mono WAV of a 440 Hz tone at {@code rate}: 44-byte header + samples. */
    static byte[] toneWav(int rate, int samples) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * samples).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(2 * rate).putShort((short) 2)
                .putShort((short) 16).put("data".getBytes()).putInt(2 * samples);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) Math.round(8000 * Math.sin(2 * Math.PI * 440 * i / rate)));
        }
        return b.array();
    }

    @Test
    void sqlFunctionsMatchTheLibrary(@TempDir Path dir) throws Exception {
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("sql-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate()) {
            OmniSparkFunctions.register(spark);
            checkFunctions(spark, dir);
        }
    }

    /** The setting a SQL, PySpark or Scala notebook adds: the functions are there, no JVM call. */
    @Test
    void theSparkSqlExtensionRegistersTheFunctionsInEverySession(@TempDir Path dir) throws Exception {
        try (SparkSession spark = SparkSession.builder().master("local[1]").appName("sql-extension-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.extensions", "org.omnispark.data.sql.OmniSparkExtensions").getOrCreate()) {
            checkFunctions(spark, dir);
            checkFunctions(spark.newSession(), dir.resolve("second"));
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> spark.sql("SELECT omnispark_fbank()").collect());
            assertTrue(String.valueOf(e.getMessage()).contains("omnispark_fbank"), e.getMessage());
        }
    }

    private static void checkFunctions(SparkSession spark, Path dir) throws Exception {
        Files.createDirectories(dir);
        byte[] tone16k = toneWav(16000, 8000);
        Files.write(dir.resolve("a.wav"), tone16k);
        Files.write(dir.resolve("b.wav"), toneWav(8000, 4000));
        Files.write(dir.resolve("c.wav"), new byte[] {1, 2, 3});
        {
            spark.read().format("binaryFile").load(dir.toString()).createOrReplaceTempView("audio");
            List<Row> rows = spark.sql("SELECT substring_index(path, '/', -1) AS name, omnispark_fbank(content) AS f, "
                    + "omnispark_fbank_with(content, '{\"num_mel_bins\": 23}') AS f23, "
                    + "omnispark_audio_duration(content) AS d, omnispark_audio_error(content) AS e "
                    + "FROM audio ORDER BY name").collectAsList();
            float[] expected = new Fbank(FbankOptions.defaults())
                    .compute(AudioDecoder.decode(tone16k, "a").samples(), 0L);
            Row a = rows.get(0);
            assertEquals("a.wav", a.getString(0));
            assertArrayEquals(expected, floats(a.getList(1)), 0f, "omnispark_fbank equals Fbank.compute");
            // 8000 samples at 16 kHz, 25 ms / 10 ms frames, snip_edges: 1 + (8000 - 400) / 160 = 48 frames.
            assertEquals(48 * 23, a.getList(2).size(), "23 bins x 48 frames");
            assertEquals(0.5, a.getDouble(3), 1e-12, "duration of 8000 samples at 16 kHz");
            assertNull(a.get(4), "no error for a valid file");
            Row b = rows.get(1);
            assertEquals(48 * 80, b.getList(1).size(), "8 kHz input is resampled to 16 kHz: 0.5 s -> 48 frames");
            Row c = rows.get(2);
            assertNull(c.get(1), "undecodable audio gives NULL features");
            assertTrue(c.getString(4).startsWith("CORRUPT_AUDIO"), c.getString(4));
            assertEquals("hello world", spark.sql("SELECT omnispark_normalize_text('Hello,  World!')").first()
                    .getString(0));
        }
    }

    private static float[] floats(List<Object> list) {
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Float) list.get(i);
        }
        return out;
    }
}
