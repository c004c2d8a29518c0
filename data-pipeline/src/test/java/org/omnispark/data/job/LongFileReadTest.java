package org.omnispark.data.job;

import org.omnispark.io.HadoopConf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.ingest.ManifestEntry;

/**
 * A file whose header declares more than {@code filters.max_duration_s} is rejected from its header: the job does
 * not read a 10-minute recording (or a 2 GiB one) into memory to learn that it is too long.
 */
class LongFileReadTest {

    @Test
    void aRecordingOverTheMaximumIsRejectedWithoutReadingIt(@TempDir Path tmp) throws Exception {
        Path wav = tmp.resolve("ten-minutes.wav");
        int rate = 16000;
        long dataBytes = 600L * rate * 2; // 600 s of 16-bit mono: 19.2 MB (a sparse file: nothing is written)
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt((int) (36 + dataBytes)).put("WAVE".getBytes()).put("fmt ".getBytes())
                .putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16).put("data".getBytes()).putInt((int) dataBytes);
        try (RandomAccessFile f = new RandomAccessFile(wav.toFile(), "rw")) {
            f.write(h.array());
            f.setLength(44 + dataBytes);
        }
        Configuration conf = new Configuration();
        conf.set("fs.flaky.impl", FlakyFileSystem.class.getName());
        conf.setBoolean("fs.flaky.impl.disable.cache", true);
        ManifestEntry entry = new ManifestEntry("long", "flaky://" + wav, "the box", null, null, null, null, 0, -1,
                "m.jsonl", 0);
        PrepareConfig config = TestCorpora.config(List.of(), "filters.min_confidence=0");
        UtteranceProcessor.Recipe base = TestCorpora.recipe(config, List.of(entry));
        UtteranceProcessor processor = UtteranceProcessor.forPartition(new UtteranceProcessor.Recipe(base.config(),
                base.fbankOptions(), base.normalizer(), base.tokenizer(), new HadoopConf(conf)));

        FileSystem.Statistics stats = FileSystem.getStatistics("flaky", FlakyFileSystem.class);
        long before = stats.getBytesRead();
        Row row = processor.process(entry).get(0);
        long read = stats.getBytesRead() - before;

        assertEquals("TOO_LONG", row.getString(ProcessedRows.REJECT_REASON));
        assertTrue(row.getString(ProcessedRows.REJECT_REASON + 1).contains("declares 600.0 s"),
                row.getString(ProcessedRows.REJECT_REASON + 1));
        assertTrue(read < 1 << 20, read + " bytes read of a " + (44 + dataBytes) + "-byte file");
    }
}
