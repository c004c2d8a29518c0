package org.omnispark.data.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.omnispark.data.RejectReason;

/**
 * {@link HfParquetRows} on the Hugging Face fixture that {@code hf/make_hf_fixture.py} wrote with the {@code datasets}
 * library (its Audio feature, row groups of 2 rows in the first file): each row's fields and embedded bytes against the
 * files the script read them from, the rejects, and damaged and flaky files.
 */
class HfParquetRowsTest {
    static final Path RES = Path.of("src/test/resources");
    static final Path DATA = RES.resolve("hf/data");
    static final Path CV = DATA.resolve("train-00000-of-00002.parquet");
    static final Path GIGA = DATA.resolve("train-00001-of-00002.parquet");

    static List<ParsedLine> read(String file, Configuration conf) {
        List<ParsedLine> out = new ArrayList<>();
        try (HfParquetRows rows = new HfParquetRows(file, conf)) {
            rows.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void commonVoiceLikeRowsAcrossRowGroups() throws Exception {
        String file = CV.toUri().toString();
        List<ParsedLine> rows = read(file, new Configuration());
        assertEquals(7, rows.size());
        String name = CV.getFileName().toString();
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(i, rows.get(i).line());
            assertEquals(file, rows.get(i).source());
            assertEquals(name + "#" + i, rows.get(i).keyHint(), "no key column: keyed by file and row");
        }
        String[] sources = {"tar/loose/speech.wav", "tar/loose/speech.flac", "golden/mp3/a_16k_mono_vbr.mp3",
            "golden/ogg/a_16k_mono_opus24.opus"};
        String[] texts = {"hello from a wav", "a flac clip", "an mp3 clip", "an opus clip"};
        String[] paths = {"cv_1.wav", "cv_2.flac", "cv_3.mp3", "cv_4.opus"};
        for (int i = 0; i < 4; i++) {
            ManifestEntry e = rows.get(i).entry();
            assertEquals(texts[i], e.text(), "'sentence' is the text");
            assertArrayEquals(Files.readAllBytes(RES.resolve(sources[i])), e.audioBytes(), sources[i]);
            assertEquals("parquet:" + file + "!" + i + "/" + paths[i], e.audioPath());
            assertEquals(0, e.offset());
            assertEquals(-1, e.length());
        }
        ManifestEntry pathOnly = rows.get(4).entry();
        assertNull(pathOnly.audioBytes());
        assertEquals(DATA.resolve("clips/path_only.wav").toAbsolutePath().toString(),
                new org.apache.hadoop.fs.Path(pathOnly.audioPath()).toUri().getPath(),
                "a path-only row's file, relative to the Parquet file's folder");
        assertEquals("not audio at all".repeat(8), new String(rows.get(5).entry().audioBytes(),
                java.nio.charset.StandardCharsets.US_ASCII), "damaged bytes reach the decoder, which rejects them");
        assertTrue(rows.get(6).isMalformed());
        assertEquals(RejectReason.MALFORMED_MANIFEST_LINE, rows.get(6).reason());
        assertTrue(rows.get(6).error().startsWith("no text column (one of [text, txt, transcript, transcription, sentence"), rows.get(6).error());
    }

    @Test
    void gigaSpeechLikeRowsKeyedBySegmentIdAndARowWithoutAudio() {
        List<ParsedLine> rows = read(GIGA.toUri().toString(), new Configuration());
        assertEquals(3, rows.size());
        assertEquals("POD0001_S1", rows.get(0).entry().key());
        assertEquals("a giga wav", rows.get(0).entry().text());
        assertEquals("N/A", rows.get(0).entry().speaker());
        assertEquals("POD0001_S2", rows.get(1).entry().key());
        assertTrue(rows.get(1).entry().audioPath().endsWith("!1/POD0001_S2"), "no path: named by its key");
        assertEquals(RejectReason.MISSING_AUDIO, rows.get(2).reason());
        assertEquals("POD0001_S3", rows.get(2).keyHint());
        assertTrue(rows.get(2).error().contains("audio.bytes and audio.path are both null"), rows.get(2).error());
    }

    @Test
    void aTruncatedFileIsOneReject(@TempDir Path tmp) throws Exception {
        byte[] whole = Files.readAllBytes(CV);
        Path cut = tmp.resolve("cut.parquet");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        List<ParsedLine> rows = read(cut.toUri().toString(), new Configuration());
        assertEquals(1, rows.size(), rows.toString());
        assertEquals(RejectReason.MALFORMED_MANIFEST_LINE, rows.get(0).reason());
        assertEquals(cut.toUri() + "@row 0", rows.get(0).keyHint());
        assertTrue(rows.get(0).error().startsWith("damaged Parquet file at row 0"), rows.get(0).error());
    }

    @Test
    void damageInTheThirdRowGroupKeepsTheRowsBeforeIt(@TempDir Path tmp) throws Exception {
        byte[] bytes = Files.readAllBytes(CV);
        long start;
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(CV.toUri()), new Configuration()))) {
            ColumnChunkMetaData audio = r.getRowGroups().get(2).getColumns().stream()
                    .filter(c -> c.getPath().toDotString().equals("audio.bytes")).findFirst().orElseThrow();
            start = audio.getStartingPos();
        }
        for (int i = 0; i < 16; i++) {
            bytes[(int) start + i] = (byte) 0xEE; // the page header of row group 2's audio bytes
        }
        Path damaged = tmp.resolve("damaged.parquet");
        Files.write(damaged, bytes);
        List<ParsedLine> rows = read(damaged.toUri().toString(), new Configuration());
        assertEquals(5, rows.size(), "rows 0-3, then the damage: " + rows);
        for (int i = 0; i < 4; i++) {
            assertTrue(!rows.get(i).isMalformed() && rows.get(i).line() == i, rows.get(i).toString());
        }
        ParsedLine damage = rows.get(4);
        assertEquals(4, damage.line());
        assertEquals(damaged.toUri() + "@row 4", damage.keyHint());
        assertTrue(damage.error().contains("rows 4..6 of 7 not read"), damage.error());
    }

    /**
     * A row group is read whole: one larger than the task may hold is skipped as ONE reject that names its rows, and
     * the groups after it are read (before the guard, a user's file with a huge row group ran the executor out of
     * memory in every retry of the task).
     */
    @Test
    void aRowGroupLargerThanATaskHoldsIsOneRejectAndTheRestIsRead() throws Exception {
        List<Long> sizes = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(CV.toUri()), new Configuration()))) {
            for (org.apache.parquet.hadoop.metadata.BlockMetaData b : r.getRowGroups()) {
                sizes.add(Math.max(b.getCompressedSize(), b.getTotalByteSize()));
                counts.add(b.getRowCount());
            }
        }
        // the fixture's groups: 41883, 12576, 398 and 22301 bytes; below the second one's size, groups 0, 1 and 3 are
        // too large and group 2 is read: consecutive skips, a read between skips, a skip at the end
        long limit = sizes.get(1) - 1;
        List<ParsedLine> all = read(CV.toUri().toString(), new Configuration());
        List<ParsedLine> expected = new ArrayList<>();
        long first = 0;
        for (int g = 0; g < sizes.size(); g++) {
            if (sizes.get(g) > limit) {
                expected.add(null); // the reject, checked below
            } else {
                expected.addAll(all.subList((int) first, (int) (first + counts.get(g))));
            }
            first += counts.get(g);
        }
        assertTrue(expected.contains(null) && expected.stream().anyMatch(java.util.Objects::nonNull), "both kinds");
        List<ParsedLine> rows = new ArrayList<>();
        try (HfParquetRows r = new HfParquetRows(CV.toUri().toString(), new Configuration(), limit)) {
            r.forEachRemaining(rows::add);
        }
        assertEquals(expected.size(), rows.size(), rows.toString());
        first = 0;
        int at = 0;
        for (int g = 0; g < sizes.size(); g++) {
            if (sizes.get(g) > limit) {
                ParsedLine p = rows.get(at++);
                assertEquals(RejectReason.MALFORMED_MANIFEST_LINE, p.reason(), p.toString());
                assertEquals(CV.toUri() + "@row " + first, p.keyHint());
                assertEquals(first, p.line());
                assertTrue(p.error().startsWith("row group " + g + " of " + sizes.size() + " (rows " + first + ".."
                        + (first + counts.get(g) - 1) + ", ") && p.error().contains("its " + counts.get(g)
                        + " rows are not read") && p.error().contains("row_group_size"), p.error());
            } else {
                for (long i = 0; i < counts.get(g); i++) {
                    assertEquals(all.get((int) (first + i)).toString(), rows.get(at++).toString(), "read as usual");
                }
            }
            first += counts.get(g);
        }
        assertTrue(HfParquetRows.defaultMaxRowGroupBytes() > 0);
    }

    @Test
    void aFlakyOpenIsRetriedAndAPersistentOneFailsTheTask() {
        Configuration conf = new Configuration();
        conf.set("fs.flaky.impl", "org.omnispark.data.job.FlakyFileSystem");
        conf.setBoolean("fs.flaky.impl.disable.cache", true);
        conf.set("fs.flaky.failures", "retry.parquet:2,never.parquet:-1");
        Path retry = CV.toAbsolutePath();
        List<ParsedLine> direct = read(retry.toUri().toString(), new Configuration());
        try {
            Path link = Files.createTempDirectory("hf").resolve("retry.parquet");
            Files.copy(retry, link);
            List<ParsedLine> flaky = read("flaky://" + link, conf);
            assertEquals(direct.size(), flaky.size());
            for (int i = 0; i < direct.size(); i++) {
                assertEquals(direct.get(i).keyHint().replace(CV.getFileName().toString(), "retry.parquet"),
                        flaky.get(i).keyHint(), "two failed opens, then the same rows");
                assertEquals(direct.get(i).isMalformed(), flaky.get(i).isMalformed());
            }
            Path never = link.resolveSibling("never.parquet");
            Files.copy(retry, never);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> read("flaky://" + never, conf));
            assertTrue(e.getMessage().contains("after 3 attempts") && e.getMessage().contains("never.parquet"),
                    e.getMessage());
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
